package deliverydesk

import (
	"context"
	"encoding/json"

	"onewindow/delivery"
	"onewindow/internal/errs"
	"onewindow/storage"
)

// Tracker keeps deliveries in storage: the record in MinIO, lists in Redis.
type Tracker struct {
	Store *storage.DeliveryStore
}

var _ delivery.Tracker = (*Tracker)(nil)

// Get implements delivery.Tracker.
func (t *Tracker) Get(ctx context.Context, key string) (delivery.Delivery, error) {
	data, err := t.Store.Delivery(ctx, key)
	if err != nil {
		return delivery.Delivery{}, err
	}
	return decodeDelivery(data)
}

// Update implements delivery.Tracker: fn runs again if another process changed the record
// meanwhile, so it must be a pure function of the record it is given.
func (t *Tracker) Update(ctx context.Context, key string, fn func(*delivery.Delivery) error) (delivery.Delivery, error) {
	var out delivery.Delivery
	data, err := t.Store.UpdateDelivery(ctx, key, func(old []byte) ([]byte, storage.DeliveryIndex, error) {
		var d delivery.Delivery
		if old != nil {
			var err error
			if d, err = decodeDelivery(old); err != nil {
				return nil, storage.DeliveryIndex{}, err
			}
		}
		out = d // what an error answers: the record as stored
		next := d
		if err := fn(&next); err != nil {
			return nil, storage.DeliveryIndex{}, err
		}
		d = next
		raw, err := json.Marshal(d)
		if err != nil {
			return nil, storage.DeliveryIndex{}, err
		}
		return raw, indexOf(d), nil
	})
	if err != nil {
		return out, err
	}
	return decodeDelivery(data)
}

// Case lists a case's deliveries, oldest first.
func (t *Tracker) Case(ctx context.Context, caseNo string) ([]delivery.Delivery, error) {
	raws, err := t.Store.CaseDeliveries(ctx, caseNo)
	if err != nil {
		return nil, err
	}
	return decodeAll(raws)
}

// List lists deliveries by state, or the dead letters.
func (t *Tracker) List(ctx context.Context, q storage.DeliveryQuery) ([]delivery.Delivery, error) {
	raws, err := t.Store.ListDeliveries(ctx, q)
	if err != nil {
		return nil, err
	}
	return decodeAll(raws)
}

// Reindex rebuilds the Redis lists from MinIO.
func (t *Tracker) Reindex(ctx context.Context) (int, error) {
	return t.Store.RebuildDeliveryIndex(ctx, parseIndex)
}

func indexOf(d delivery.Delivery) storage.DeliveryIndex {
	return storage.DeliveryIndex{Key: d.Key, CaseNo: d.CaseNo, Department: d.Department, State: string(d.State),
		Dead: d.Dead, Updated: d.UpdatedAt}
}

func decodeDelivery(data []byte) (delivery.Delivery, error) {
	var d delivery.Delivery
	if err := json.Unmarshal(data, &d); err != nil {
		return d, errs.E("desk.decodeDelivery", errs.Internal, "bad_delivery", "A delivery record does not decode.", err)
	}
	return d, nil
}

func decodeAll(raws [][]byte) ([]delivery.Delivery, error) {
	out := make([]delivery.Delivery, 0, len(raws))
	for _, raw := range raws {
		d, err := decodeDelivery(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
