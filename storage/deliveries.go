package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/redis/go-redis/v9"

	"onewindow/internal/errs"
)

// Deliveries to departments (delivery/deliverydesk). MinIO is the record, in the archive bucket:
//
//	deliveries/packages/{key}.json                 a delivery's latest state (each write a version)
//	deliveries/cases/{case}/versions/{nnnn}.json   a package version of a case, write-once
//	deliveries/cases/{case}/results/{id}.json      a department's result upload, write-once
//	deliveries/cases/{case}/handout.json           how the result reached the applicant, write-once
//
// Redis indexes what lists need and RebuildDeliveryIndex restores them from MinIO: a case's
// deliveries in one hash tagged with the case ({case:NO}, the slot of its view), and one
// sorted set per state plus the dead letters, scored by the last change.

// DeliveryKey is where the delivery with idempotency key key is recorded.
func DeliveryKey(key string) string { return "deliveries/packages/" + key + ".json" }

const deliveriesPrefix = "deliveries/packages/"

// PackageVersionKey is version n of a case's package.
func PackageVersionKey(caseNo string, n int) string {
	return fmt.Sprintf("deliveries/cases/%s/versions/%04d.json", caseNo, n)
}

// ResultKey is a department's result upload to a case.
func ResultKey(caseNo, id string) string {
	return "deliveries/cases/" + caseNo + "/results/" + id + ".json"
}

// HandoutKey is the record of a case's result handed to the applicant.
func HandoutKey(caseNo string) string { return "deliveries/cases/" + caseNo + "/handout.json" }

// HandoutSignatureKey is the collector's drawn signature (PNG) filed with the hand-out.
func HandoutSignatureKey(caseNo string) string {
	return "deliveries/cases/" + caseNo + "/handout-signature.png"
}

func caseDeliveriesKey(caseNo string) string { return keyPrefix + "{case:" + caseNo + "}:deliveries" }
func deliveryStateIndex(state string) string { return keyPrefix + "deliveries:state:" + state }
func deliveryDeptIndex(dept string) string   { return keyPrefix + "deliveries:dept:" + dept }

const deliveryDeadIndex = keyPrefix + "deliveries:dead"

// DeliveryStates are the states a delivery's index may hold.
var DeliveryStates = []string{"pending", "delivered", "acknowledged", "failed"}

// DeliveryIndex is what the lists know of a delivery.
type DeliveryIndex struct {
	Key, CaseNo, Department, State string
	Dead                           bool
	Updated                        time.Time
}

func (ix DeliveryIndex) member() string { return ix.CaseNo + " " + ix.Key }

// DeliveryStore keeps deliveries, package versions, results and handouts.
type DeliveryStore struct {
	b   *Blobs
	rdb redis.UniversalClient
}

// NewDeliveryStore uses the archive bucket of b and the Redis of s.
func NewDeliveryStore(b *Blobs, s *State) *DeliveryStore { return &DeliveryStore{b: b, rdb: s.rdb} }

// Delivery reads a delivery's record (NotFound, delivery_not_found, when there is none).
func (s *DeliveryStore) Delivery(ctx context.Context, key string) ([]byte, error) {
	data, _, err := s.read(ctx, key)
	return data, err
}

func (s *DeliveryStore) read(ctx context.Context, key string) ([]byte, string, error) {
	body, st, _, err := minio.Core{Client: s.b.c}.GetObject(ctx, s.b.names[Archive], DeliveryKey(key), minio.GetObjectOptions{})
	if err != nil {
		err = wrap("storage.Delivery", key, err)
		if errs.KindOf(err) == errs.NotFound {
			return nil, "", errs.E("storage.Delivery", errs.NotFound, "delivery_not_found", "There is no such delivery.", nil)
		}
		return nil, "", err
	}
	defer body.Close()
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, "", wrap("storage.Delivery", key, err)
	}
	return data, st.ETag, nil
}

// UpdateDelivery changes a delivery's record atomically across processes: it reads the
// record (nil when there is none), asks fn for the new one and writes it only if nobody wrote
// in between (If-Match on the ETag), else it reads again and asks fn again. fn returning an
// error stores nothing; returning nil data changes nothing. The Redis index follows the record.
func (s *DeliveryStore) UpdateDelivery(ctx context.Context, key string, fn func(old []byte) ([]byte, DeliveryIndex, error)) ([]byte, error) {
	const op = "storage.UpdateDelivery"
	for attempt := 0; attempt < 20; attempt++ {
		old, etag, err := s.read(ctx, key)
		if err != nil && errs.KindOf(err) != errs.NotFound {
			return nil, err
		}
		data, ix, err := fn(old)
		if err != nil || data == nil {
			return old, err
		}
		opts := minio.PutObjectOptions{ContentType: "application/json"}
		if etag == "" {
			opts.SetMatchETagExcept("*")
		} else {
			opts.SetMatchETag(etag)
		}
		_, err = s.b.c.PutObject(ctx, s.b.names[Archive], DeliveryKey(key), strings.NewReader(string(data)), int64(len(data)), opts)
		if resp := minio.ToErrorResponse(err); err != nil && (resp.StatusCode == http.StatusPreconditionFailed || resp.Code == "PreconditionFailed") {
			continue // another worker wrote first: apply fn to its state
		}
		if err != nil {
			return nil, wrap(op, key, err)
		}
		ix.Key = key
		if err := s.index(ctx, ix, data); err != nil {
			return data, err
		}
		return data, nil
	}
	return nil, errs.E(op, errs.Unavailable, "delivery_contended", "The delivery changed too often meanwhile; try again.", nil)
}

// index moves a delivery in the Redis indexes. Keys of several slots: a pipeline, each
// command safe to repeat; a crash in between leaves what RebuildDeliveryIndex repairs.
func (s *DeliveryStore) index(ctx context.Context, ix DeliveryIndex, data []byte) error {
	return retry(ctx, "storage.IndexDelivery", func(ctx context.Context) error {
		pipe := s.rdb.Pipeline()
		pipe.HSet(ctx, caseDeliveriesKey(ix.CaseNo), ix.Key, data)
		z := redis.Z{Score: float64(ix.Updated.UnixMilli()), Member: ix.member()}
		for _, st := range DeliveryStates {
			if st == ix.State {
				pipe.ZAdd(ctx, deliveryStateIndex(st), z)
			} else {
				pipe.ZRem(ctx, deliveryStateIndex(st), z.Member)
			}
		}
		if ix.Department != "" {
			pipe.ZAdd(ctx, deliveryDeptIndex(ix.Department), z)
		}
		if ix.Dead {
			pipe.ZAdd(ctx, deliveryDeadIndex, z)
		} else {
			pipe.ZRem(ctx, deliveryDeadIndex, z.Member)
		}
		_, err := pipe.Exec(ctx)
		return err
	})
}

// CaseDeliveries returns the records of a case's deliveries, from the index.
func (s *DeliveryStore) CaseDeliveries(ctx context.Context, caseNo string) ([][]byte, error) {
	var vals map[string]string
	err := retry(ctx, "storage.CaseDeliveries", func(ctx context.Context) (err error) {
		vals, err = s.rdb.HGetAll(ctx, caseDeliveriesKey(caseNo)).Result()
		return err
	})
	if err != nil {
		return nil, err
	}
	keys := slices.Sorted(maps.Keys(vals))
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[i] = []byte(vals[k])
	}
	return out, nil
}

// DeliveryQuery selects deliveries by state, or the dead letters, or a department's (in every
// state: the caller filters), newest change first.
type DeliveryQuery struct {
	State      string // one of DeliveryStates; "" with Dead false: every state
	Dead       bool
	Department string // a department's deliveries; State and Dead are then the caller's to apply
	Limit      int    // default 1000
}

// ListDeliveries returns the records the query selects.
func (s *DeliveryStore) ListDeliveries(ctx context.Context, q DeliveryQuery) ([][]byte, error) {
	if q.Limit <= 0 {
		q.Limit = 1000
	}
	sets := []string{}
	switch {
	case q.Dead:
		sets = append(sets, deliveryDeadIndex)
	case q.Department != "":
		sets = append(sets, deliveryDeptIndex(q.Department))
	case q.State != "":
		sets = append(sets, deliveryStateIndex(q.State))
	default:
		for _, st := range DeliveryStates {
			sets = append(sets, deliveryStateIndex(st))
		}
	}
	var all []redis.Z
	for _, set := range sets {
		var page []redis.Z
		err := retry(ctx, "storage.ListDeliveries", func(ctx context.Context) (err error) {
			page, err = s.rdb.ZRevRangeWithScores(ctx, set, 0, int64(q.Limit-1)).Result()
			return err
		})
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
	}
	// Several sets (every state) merge newest first.
	slices.SortStableFunc(all, func(a, b redis.Z) int { return cmp.Compare(b.Score, a.Score) })
	members := make([]string, 0, min(len(all), q.Limit))
	for _, z := range all[:min(len(all), q.Limit)] {
		m, _ := z.Member.(string)
		members = append(members, m)
	}
	var cmds []*redis.StringCmd
	err := retry(ctx, "storage.ListDeliveries", func(ctx context.Context) error {
		pipe := s.rdb.Pipeline()
		cmds = cmds[:0]
		for _, m := range members {
			caseNo, key, _ := strings.Cut(m, " ")
			cmds = append(cmds, pipe.HGet(ctx, caseDeliveriesKey(caseNo), key))
		}
		if len(cmds) == 0 {
			return nil
		}
		_, err := pipe.Exec(ctx)
		if errors.Is(err, redis.Nil) {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(cmds))
	for _, c := range cmds {
		if v, err := c.Result(); err == nil {
			out = append(out, []byte(v))
		}
	}
	return out, nil
}

// RebuildDeliveryIndex indexes every delivery recorded in MinIO again (after a Redis loss);
// parse tells what each record says. It answers how many it indexed.
func (s *DeliveryStore) RebuildDeliveryIndex(ctx context.Context, parse func([]byte) (DeliveryIndex, error)) (int, error) {
	n := 0
	for o, err := range s.b.List(ctx, Archive, deliveriesPrefix) {
		if err != nil {
			return n, err
		}
		key, ok := strings.CutSuffix(strings.TrimPrefix(o.Key, deliveriesPrefix), ".json")
		if !ok {
			continue
		}
		data, err := s.b.Get(ctx, Archive, o.Key)
		if err != nil {
			return n, err
		}
		ix, err := parse(data)
		if err != nil {
			return n, fmt.Errorf("delivery %s: %w", key, err)
		}
		ix.Key = key
		if err := s.index(ctx, ix, data); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// PutOnce files a case's delivery record (a package version, a result, a handout) write-once
// under key; a key already filed is a Conflict with code exists.
func (s *DeliveryStore) PutOnce(ctx context.Context, key string, data []byte) error {
	_, err := s.b.PutBytes(ctx, Archive, key, data, PutOptions{ContentType: "application/json", IfAbsent: true})
	if errors.Is(err, ErrExists) {
		return errs.E("storage.PutOnce", errs.Conflict, "exists", "That record is already filed.", err)
	}
	return err
}

// Get reads one record filed by PutOnce.
func (s *DeliveryStore) Get(ctx context.Context, key string) ([]byte, error) {
	return s.b.Get(ctx, Archive, key)
}

// PackageVersions reads a case's package versions, oldest first.
func (s *DeliveryStore) PackageVersions(ctx context.Context, caseNo string) ([][]byte, error) {
	return s.all(ctx, "deliveries/cases/"+caseNo+"/versions/")
}

// Results reads a case's result uploads, in key order.
func (s *DeliveryStore) Results(ctx context.Context, caseNo string) ([][]byte, error) {
	return s.all(ctx, "deliveries/cases/"+caseNo+"/results/")
}

func (s *DeliveryStore) all(ctx context.Context, prefix string) ([][]byte, error) {
	var keys []string
	for o, err := range s.b.List(ctx, Archive, prefix) {
		if err != nil {
			return nil, err
		}
		keys = append(keys, o.Key)
	}
	slices.Sort(keys)
	out := make([][]byte, 0, len(keys))
	for _, k := range keys {
		data, err := s.b.Get(ctx, Archive, k)
		if err != nil {
			return nil, err
		}
		out = append(out, data)
	}
	return out, nil
}
