package sqlstore

import (
	"context"
	"time"

	"github.com/yingjing/xunhui/data"
)

// RosterLeaveReason is the reason of an absence made from a leave range of
// the staff roster (import or staff record).
const RosterLeaveReason = "请假（人员名册）"

// rosterLeave records staffID's roster leave ranges as absences (kind
// leave, by "import"), the one leave model both planners read; a range
// already recorded as an active absence is not recorded twice.
func rosterLeave(ctx context.Context, tx Tx, staffID string, leave []data.DateRange, now time.Time) error {
	for _, l := range leave {
		ok, err := exists(ctx, tx, `SELECT 1 FROM absences WHERE staff_id = $1 AND from_day = $2 AND to_day = $3
			AND cancelled_at IS NULL`, staffID, string(l.From), string(l.To))
		if err != nil {
			return err
		}
		if ok {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO absences (`+absenceCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, '', 1)`,
			data.NewID("AB"), staffID, string(l.From), string(l.To), string(data.AbsenceLeave), RosterLeaveReason, "import", now); err != nil {
			return err
		}
	}
	return nil
}

// convertRosterLeave turns the leave ranges stored on staff records by
// earlier versions into absences and clears them, in one transaction; a
// no-op once done (run after every migration).
func convertRosterLeave(ctx context.Context, db DB, lock string) (err error) {
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(ctx)
		}
	}()
	if lock != "" { // replicas starting together convert once
		if _, err := tx.Exec(ctx, lock); err != nil {
			return err
		}
	}
	rows, err := tx.Query(ctx, `SELECT id, leave_ranges FROM staff WHERE leave_ranges <> '[]' AND leave_ranges <> '' AND leave_ranges <> 'null'`)
	if err != nil {
		return err
	}
	type staffLeave struct {
		id    string
		leave []data.DateRange
	}
	var todo []staffLeave
	for rows.Next() {
		var sl staffLeave
		var js string
		if err := rows.Scan(&sl.id, &js); err != nil {
			rows.Close()
			return err
		}
		if err := fromJSON(js, &sl.leave); err != nil {
			rows.Close()
			return err
		}
		todo = append(todo, sl)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	for _, sl := range todo {
		if err := rosterLeave(ctx, tx, sl.id, sl.leave, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE staff SET leave_ranges = '[]' WHERE id = $1`, sl.id); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}
