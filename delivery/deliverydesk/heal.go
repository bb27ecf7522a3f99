package deliverydesk

import (
	"context"
	"time"

	"onewindow/storage"
)

// Heal compares the Redis lists of about a tenth of limit deliveries after the key after with
// their records in MinIO and indexes again what a partial loss of Redis took (each delivery
// costs a read of its record, hence the tenth). The archive desk's reconciler calls it, a chunk
// a period; it answers where the next round starts and how many it repaired.
func (d *Desk) Heal(ctx context.Context, after string, limit int, settled time.Time) (string, int, error) {
	return d.tracker.Heal(ctx, after, max(limit/10, 1), settled)
}

// Heal compares up to limit deliveries after the key after (Desk.Heal).
func (t *Tracker) Heal(ctx context.Context, after string, limit int, settled time.Time) (string, int, error) {
	return t.Store.HealDeliveryIndex(ctx, after, limit, settled, parseIndex)
}

// parseIndex is what a delivery's record says for the lists.
func parseIndex(data []byte) (storage.DeliveryIndex, error) {
	d, err := decodeDelivery(data)
	return indexOf(d), err
}
