package sqlstore

import (
	"context"

	"github.com/yingjing/xunhui/data"
)

const townshipCols = `id, name, type, predecessor_2016`

func scanTownship(r Row) (data.Township, error) {
	var t data.Township
	err := r.Scan(&t.ID, &t.Name, &t.Type, &t.Predecessor2016)
	return t, err
}

// ListTownships implements data.Store.
func (s *Store) ListTownships(ctx context.Context) ([]data.Township, error) {
	out := []data.Township{}
	err := s.tx(ctx, "store.ListTownships", func(tx Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+townshipCols+` FROM townships ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanTownship(rows)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, err
}

// GetTownship implements data.Store.
func (s *Store) GetTownship(ctx context.Context, id string) (data.Township, error) {
	var t data.Township
	err := s.tx(ctx, "store.GetTownship", func(tx Tx) (err error) {
		t, err = scanTownship(tx.QueryRow(ctx, `SELECT `+townshipCols+` FROM townships WHERE id = $1`, id))
		if data.ErrorKind(err) == data.NotFound {
			return notFound("township", id)
		}
		return err
	})
	return t, err
}

// PutTownships implements data.Store.
func (s *Store) PutTownships(ctx context.Context, ts []data.Township) error {
	const op = "store.PutTownships"
	var b batch
	for i, t := range ts {
		if err := t.Validate(); err != nil {
			b.add(i, err)
			continue
		}
		b.dup(i, "id", t.ID)
	}
	if err := b.err(op); err != nil {
		return err
	}
	return s.tx(ctx, op, func(tx Tx) error {
		for _, t := range ts {
			if _, err := tx.Exec(ctx, `INSERT INTO townships (`+townshipCols+`) VALUES ($1, $2, $3, $4)
				ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type,
				predecessor_2016 = excluded.predecessor_2016`,
				t.ID, t.Name, t.Type, t.Predecessor2016); err != nil {
				return err
			}
		}
		return nil
	})
}

const villageCols = `id, township_id, name, short_name, kind, lon, lat, provenance`

func scanVillage(r Row) (data.Village, error) {
	var v data.Village
	err := r.Scan(&v.ID, &v.TownshipID, &v.Name, &v.ShortName, &v.Kind, &v.Location.Lon, &v.Location.Lat, &v.Provenance)
	return v, err
}

// ListVillages implements data.Store.
func (s *Store) ListVillages(ctx context.Context, townshipID string) ([]data.Village, error) {
	out := []data.Village{}
	err := s.tx(ctx, "store.ListVillages", func(tx Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+villageCols+` FROM villages
			WHERE ($1 = '' OR township_id = $1) ORDER BY id`, townshipID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scanVillage(rows)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	return out, err
}

// GetVillage implements data.Store.
func (s *Store) GetVillage(ctx context.Context, id string) (data.Village, error) {
	var v data.Village
	err := s.tx(ctx, "store.GetVillage", func(tx Tx) (err error) {
		v, err = scanVillage(tx.QueryRow(ctx, `SELECT `+villageCols+` FROM villages WHERE id = $1`, id))
		if data.ErrorKind(err) == data.NotFound {
			return notFound("village", id)
		}
		return err
	})
	return v, err
}

// PutVillages implements data.Store.
func (s *Store) PutVillages(ctx context.Context, vs []data.Village) error {
	const op = "store.PutVillages"
	return s.tx(ctx, op, func(tx Tx) error {
		towns, err := idSet(ctx, tx, `SELECT id FROM townships`)
		if err != nil {
			return err
		}
		var b batch
		for i, v := range vs {
			if err := v.Validate(); err != nil {
				b.add(i, err)
				continue
			}
			if b.dup(i, "id", v.ID) {
				continue
			}
			if !towns[v.TownshipID] {
				b.fail(i, "township_id", "unknown township %s", v.TownshipID)
			}
		}
		if err := b.err(op); err != nil {
			return err
		}
		for _, v := range vs {
			if _, err := tx.Exec(ctx, `INSERT INTO villages (`+villageCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
				ON CONFLICT (id) DO UPDATE SET township_id = excluded.township_id, name = excluded.name,
				short_name = excluded.short_name, kind = excluded.kind, lon = excluded.lon, lat = excluded.lat,
				provenance = excluded.provenance`,
				v.ID, v.TownshipID, v.Name, v.ShortName, string(v.Kind), v.Location.Lon, v.Location.Lat, string(v.Provenance)); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetVillageLocations implements data.Store.
func (s *Store) SetVillageLocations(ctx context.Context, ls []data.VillageLocation) error {
	const op = "store.SetVillageLocations"
	return s.tx(ctx, op, func(tx Tx) error {
		known, err := idSet(ctx, tx, `SELECT id FROM villages`)
		if err != nil {
			return err
		}
		var b batch
		for i, l := range ls {
			if err := l.Validate(); err != nil {
				b.add(i, err)
				continue
			}
			if b.dup(i, "code", l.VillageID) {
				continue
			}
			if !known[l.VillageID] {
				b.fail(i, "code", "unknown village %s", l.VillageID)
			}
		}
		if err := b.err(op); err != nil {
			return err
		}
		for _, l := range ls {
			if _, err := tx.Exec(ctx, `UPDATE villages SET lon = $2, lat = $3, provenance = $4 WHERE id = $1`,
				l.VillageID, l.Location.Lon, l.Location.Lat, string(l.Provenance)); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE service_points SET lon = $2, lat = $3, provenance = $4
				WHERE circle = 'village' AND code = $1`,
				l.VillageID, l.Location.Lon, l.Location.Lat, string(l.Provenance)); err != nil {
				return err
			}
		}
		return nil
	})
}

const pointCols = `id, circle, code, name, lon, lat, provenance`

func scanPoint(r Row) (data.ServicePoint, error) {
	var p data.ServicePoint
	err := r.Scan(&p.ID, &p.Circle, &p.Code, &p.Name, &p.Location.Lon, &p.Location.Lat, &p.Provenance)
	return p, err
}

// ListServicePoints implements data.Store.
func (s *Store) ListServicePoints(ctx context.Context, circle data.Circle) ([]data.ServicePoint, error) {
	out := []data.ServicePoint{}
	err := s.tx(ctx, "store.ListServicePoints", func(tx Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+pointCols+` FROM service_points
			WHERE ($1 = '' OR circle = $1) ORDER BY id`, string(circle))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPoint(rows)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// GetServicePoint implements data.Store.
func (s *Store) GetServicePoint(ctx context.Context, id string) (data.ServicePoint, error) {
	var p data.ServicePoint
	err := s.tx(ctx, "store.GetServicePoint", func(tx Tx) (err error) {
		p, err = scanPoint(tx.QueryRow(ctx, `SELECT `+pointCols+` FROM service_points WHERE id = $1`, id))
		if data.ErrorKind(err) == data.NotFound {
			return notFound("service point", id)
		}
		return err
	})
	return p, err
}

// PutServicePoints implements data.Store.
func (s *Store) PutServicePoints(ctx context.Context, ps []data.ServicePoint) error {
	const op = "store.PutServicePoints"
	var b batch
	for i, p := range ps {
		if err := p.Validate(); err != nil {
			b.add(i, err)
			continue
		}
		b.dup(i, "id", p.ID)
	}
	if err := b.err(op); err != nil {
		return err
	}
	return s.tx(ctx, op, func(tx Tx) error {
		for _, p := range ps {
			if _, err := tx.Exec(ctx, `INSERT INTO service_points (`+pointCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)
				ON CONFLICT (id) DO UPDATE SET circle = excluded.circle, code = excluded.code, name = excluded.name,
				lon = excluded.lon, lat = excluded.lat, provenance = excluded.provenance`,
				p.ID, string(p.Circle), p.Code, p.Name, p.Location.Lon, p.Location.Lat, string(p.Provenance)); err != nil {
				return err
			}
		}
		return nil
	})
}
