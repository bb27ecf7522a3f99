package storage

import (
	"encoding/json"
	"time"
)

// StoredModel is the model object: the n-gram counts and which documents they came from, so
// that training on a document twice (a retried task) counts it once.
type StoredModel struct {
	Model     json.RawMessage   `json:"model"`
	Trained   map[string]string `json:"trained"` // document ID -> type
	UpdatedAt time.Time         `json:"updated_at"`
}
