// Package delivery sends a case's digitised package to the back-office departments that
// decide it: the department registry (a reloadable YAML file), the package manifest and its
// idempotency key, HMAC signatures (SHA-256, or SM3 for receivers that want national
// algorithms), senders behind one interface (a signed webhook, a BagIt bag in the
// department's own S3 bucket, or nothing for a department that pulls), the retry policy, and
// the tracking model of every delivery. Reading a department's result upload is here too.
//
// Layering: delivery imports internal/errs, internal/auth (masking), internal/tasks (the
// intake error mapping), archive (digests, bag paths) and pipeline/pages (PDF checks); it
// knows nothing of cases, storage keys, asynq or HTTP routes. The case desk builds a Case
// and its Documents; workers run a Deliverer from the delivery task; the API serves pull,
// acknowledge and re-push through the Tracker it backs with storage.
package delivery
