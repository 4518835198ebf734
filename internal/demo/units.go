package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/bangfu/bangfu/internal/pinyin"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/jackc/pgx/v5"
)

// demoUnits are the committee offices (委办) of the standing committee of
// 汨罗市 that help a household as units (帮扶单位), with their contact
// person. The first one's account is unit.demo.
var demoUnits = []struct{ name, contact, post, phone string }{
	{"汨罗市人大常委会农业农村工作委员会", "周立新", "主任", "0730-5231101"},
	{"汨罗市人大常委会办公室", "黄建华", "副主任", "0730-5231102"},
	{"汨罗市人大常委会教科文卫工作委员会", "李秋云", "主任", "0730-5231103"},
	{"汨罗市人大常委会财政经济工作委员会", "吴志刚", "主任", "0730-5231104"},
	{"汨罗市人大常委会代表联络工作委员会", "陈美玲", "主任", "0730-5231105"},
}

// unitSeat is 归义镇, where the city's offices sit.
const unitSeat = "430681119"

// seedUnits registers demoUnits in 归义镇 and pairs each with one household
// in extreme difficulty (特困, as the seed says every 委办 did) that never had
// a pairing, 弼时镇's first (genPairings leaves one unpaired, so that
// chair.bishi reviews unit.demo), six
// months ago; each gets a measure and approved entries (a visit, goods).
// The last two have not visited for 45 days, so the follow-up (人盯人) lists
// them; unit.demo also has a visit waiting for review. It runs inside
// Load's transaction after the bulk write (ids come from the sequences).
func seedUnits(ctx context.Context, tx pgx.Tx, st *store.Store, today time.Time, hash string) error {
	day := civilDay(today)
	rows, err := tx.Query(ctx, `SELECT h.id FROM households h
		WHERE h.status = 'not_exited' AND NOT EXISTS (SELECT 1 FROM pairings p WHERE p.household_id = h.id)
		ORDER BY h.attribute = 'extreme' AND h.township_code = $1 DESC, h.attribute = 'extreme' DESC,
			h.township_code = $1 DESC, h.id LIMIT $2`, bishiTownship, len(demoUnits))
	if err != nil {
		return fmt.Errorf("units: households: %w", err)
	}
	hs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("units: households: %w", err)
	}
	seat := unitSeat
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM divisions WHERE code = $1)`, seat).Scan(&ok); err != nil || !ok {
		seat = bishiTownship
	}
	start := day.AddDate(0, -6, 0)
	for i, u := range demoUnits {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO deputies (kind, name, name_pinyin, contact_person, post, phone_enc, phone_hash,
			home_township_code, gender, levels, category) VALUES ('unit', $1, $2, $3, $4, $5, $6, $7, NULL, NULL, NULL) RETURNING id`,
			append(append([]any{u.name, pinyin.Key(u.name), u.contact, u.post}, st.DeputyPersonal(u.phone)...), seat)...).Scan(&id); err != nil {
			return fmt.Errorf("units: %s: %w", u.name, err)
		}
		var userID *int64
		if i == 0 {
			var uid int64
			if err := tx.QueryRow(ctx, `INSERT INTO users (username, display_name, password_hash, role, deputy_id)
				VALUES ('unit.demo', $1, $2, 'deputy', $3) RETURNING id`, u.name, hash, id).Scan(&uid); err != nil {
				return fmt.Errorf("units: account: %w", err)
			}
			userID = &uid
		}
		if i >= len(hs) {
			continue
		}
		var pid int64
		if err := tx.QueryRow(ctx, `INSERT INTO pairings (household_id, deputy_id, start_date, status, created_at, confirmed_at)
			VALUES ($1, $2, $3::date, 'active', $3::date, $3::date) RETURNING id`, hs[i], id, start).Scan(&pid); err != nil {
			return fmt.Errorf("units: pairing: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO measures (pairing_id, support_type, content, scale, funds, deadline, status, created_at)
			VALUES ($1, 'health', '协调办理慢性病门诊卡和大病医疗救助', '1户', 2000, $2, 'in_progress', $3)`,
			pid, day.AddDate(0, 3, 0), start); err != nil {
			return fmt.Errorf("units: measure: %w", err)
		}
		lastVisit := day.AddDate(0, 0, -(12 + 3*i))
		if i >= 3 {
			lastVisit = day.AddDate(0, 0, -45)
		}
		type entry struct {
			date          time.Time
			kind, text    string
			amount        string
			status        string
			reviewedByTwp bool
		}
		entries := []entry{
			{start.AddDate(0, 0, 5), "visit", "委办主任带队入户走访，了解家庭困难和就医情况", "0", "approved", true},
			{day.AddDate(0, 0, -60), "goods", "送去棉被两床、大米100斤、食用油两桶", fmt.Sprintf("%d", 800+100*i), "approved", true},
			{lastVisit, "visit", "回访，核实医疗救助办理进度", "0", "approved", true},
		}
		if i == 0 {
			entries = append(entries, entry{day.AddDate(0, 0, -3), "visit", "入户走访，帮助联系村卫生室上门随访", "0", "submitted", false})
		}
		for _, e := range entries {
			reviewed := e.date.Add(48 * time.Hour)
			if _, err := tx.Exec(ctx, `INSERT INTO ledger_entries (pairing_id, entry_date, kind, description, amount, status,
				created_by, reviewed_by, submitted_at, reviewed_at, created_at, updated_at)
				SELECT $1, $2::date, $3, $4, $5::numeric, $6, $7,
					CASE WHEN $8 THEN coalesce((SELECT u.id FROM users u JOIN households h ON h.township_code = u.township_code
						WHERE h.id = $9 AND u.role = 'township_chair' ORDER BY u.id LIMIT 1),
						(SELECT u.id FROM users u WHERE u.username = 'office')) END,
					$10::timestamptz, CASE WHEN $8 THEN $11::timestamptz END, $10::timestamptz, $10::timestamptz`,
				pid, e.date, e.kind, e.text, e.amount, e.status, userID, e.reviewedByTwp, hs[i], e.date, reviewed); err != nil {
				return fmt.Errorf("units: ledger: %w", err)
			}
		}
	}
	return nil
}
