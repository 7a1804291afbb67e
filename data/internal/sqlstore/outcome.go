package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/yingjing/xunhui/data"
)

// errKeyTaken marks a lost race for an idempotency key: a concurrent twin
// committed first, so the call is retried once and replays its answer.
var errKeyTaken = errors.New("idempotency key taken concurrently")

// RecordOutcome implements data.Store.
func (s *Store) RecordOutcome(ctx context.Context, o data.OutcomeRecord) (data.OutcomeReceipt, error) {
	const op = "store.RecordOutcome"
	if err := o.Validate(); err != nil {
		return data.OutcomeReceipt{}, data.WithOp(op, err)
	}
	rc, err := s.recordOutcome(ctx, op, o)
	if errors.Is(err, errKeyTaken) {
		rc, err = s.recordOutcome(ctx, op, o)
	}
	if errors.Is(err, errKeyTaken) { // cannot happen twice: the twin committed
		err = &data.Error{Op: op, Kind: data.Conflict, Field: "Idempotency-Key", Message: "a call with this key is in progress; retry"}
	}
	return rc, err
}

func (s *Store) recordOutcome(ctx context.Context, op string, o data.OutcomeRecord) (data.OutcomeReceipt, error) {
	var rc data.OutcomeReceipt
	err := s.tx(ctx, op, func(tx Tx) error {
		rc = data.OutcomeReceipt{}
		now := s.now()
		if o.IdempotencyKey != "" {
			replayed, err := claimKey(ctx, tx, o, now, &rc)
			if err != nil || replayed {
				return err
			}
		}
		for i, id := range o.RequestIDs {
			r, err := outcomeStep(ctx, tx, o, id, now)
			if err != nil {
				return &data.Error{Kind: data.ErrorKind(err), Field: fmt.Sprintf("request_ids[%d]", i),
					Message: fmt.Sprintf("request %s: %s (nothing was recorded)", id, data.ErrorMessage(err)), Err: err}
			}
			rc.Requests = append(rc.Requests, r)
		}
		rc.RecordedAt = now
		if o.IdempotencyKey != "" {
			if _, err := tx.Exec(ctx, `UPDATE idempotency_keys SET response = $3 WHERE scope = $1 AND idem_key = $2`,
				o.By, o.IdempotencyKey, toJSON(rc)); err != nil {
				return err
			}
		}
		return nil
	})
	return rc, err
}

// claimKey replays the stored answer of (o.By, o.IdempotencyKey) into rc, or
// claims the key for this call. Claiming first makes a concurrent twin wait
// on the key and then fail with errKeyTaken, before it writes anything.
func claimKey(ctx context.Context, tx Tx, o data.OutcomeRecord, now time.Time, rc *data.OutcomeReceipt) (replayed bool, err error) {
	var fp, resp string
	err = tx.QueryRow(ctx, `SELECT fingerprint, response FROM idempotency_keys WHERE scope = $1 AND idem_key = $2`,
		o.By, o.IdempotencyKey).Scan(&fp, &resp)
	switch {
	case err == nil:
		if fp != o.Fingerprint {
			return false, &data.Error{Kind: data.Conflict, Field: "Idempotency-Key",
				Message: "this Idempotency-Key was used for a different call; use a new key for a new outcome"}
		}
		if err := fromJSON(resp, rc); err != nil {
			return false, err
		}
		rc.Replayed = true
		return true, nil
	case data.ErrorKind(err) != data.NotFound:
		return false, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (scope, idem_key, fingerprint, response, created_at)
		VALUES ($1, $2, $3, 'null', $4)`, o.By, o.IdempotencyKey, o.Fingerprint, now); err != nil {
		if data.ErrorKind(err) == data.Conflict {
			return false, errKeyTaken
		}
		return false, err
	}
	return false, nil
}

// outcomeStep moves one request to o.To, through planned when only that
// way is allowed (a visit without a published plan).
func outcomeStep(ctx context.Context, tx Tx, o data.OutcomeRecord, id string, now time.Time) (data.Request, error) {
	var from string
	err := tx.QueryRow(ctx, `SELECT status FROM requests WHERE id = $1`, id).Scan(&from)
	if data.ErrorKind(err) == data.NotFound {
		return data.Request{}, notFound("request", id)
	}
	if err != nil {
		return data.Request{}, err
	}
	st := data.Status(from)
	if !data.CanTransition(st, o.To) && data.CanTransition(st, data.StatusPlanned) && data.CanTransition(data.StatusPlanned, o.To) {
		if _, err := transitionTx(ctx, tx, data.RequestTransition{ID: id, Version: -1, To: data.StatusPlanned, By: o.By,
			Note: "visit " + o.VisitID + ": visited"}, now); err != nil {
			return data.Request{}, err
		}
	}
	return transitionTx(ctx, tx, data.RequestTransition{ID: id, Version: -1, To: o.To, By: o.By, Note: o.Note}, now)
}
