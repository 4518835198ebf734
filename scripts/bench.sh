#!/bin/sh
# Benchmark of the leader dashboard at scale (issue 6, acceptance 3; grows
# into issue 10's `make bench`). On this machine, in one go:
#   1. a database bangfu_bench with the demo county at $HOUSEHOLDS households
#      (default 100,000: 20,000 deputies, about 1,000,000 ledger entries),
#      created once and reused (BENCH_FRESH=1 recreates it);
#   2. the server built and started on $PORT against it;
#   3. hey (Debian package hey) at $CONC concurrent users against /healthz
#      (the HTTP floor) and /dashboard, logged in as the leader;
#   4. pgbench at the same concurrency running the dashboard's SQL directly
#      (the database floor), and, once, the same figures computed from the
#      raw tables without the summaries (what the summaries save);
# and prints a table. Needs: PostgreSQL on 127.0.0.1:5432 (user postgres,
# trust), hey, pgbench, curl.
set -eu
HOUSEHOLDS=${HOUSEHOLDS:-100000}
PORT=${PORT:-8099}
CONC=${CONC:-16}
N=${N:-3000}
DB=${BENCH_DB:-bangfu_bench}
PG="-h 127.0.0.1 -U postgres"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
cd "$(dirname "$0")/.."
for tool in hey pgbench curl psql; do
	command -v $tool >/dev/null || { echo "bench: $tool is missing (apt-get install hey postgresql-client curl)"; exit 1; }
done
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/bangfu" ./cmd/bangfu
if [ "${BENCH_FRESH:-0}" = 1 ]; then dropdb $PG --if-exists "$DB"; fi
if ! psql $PG -lqt | cut -d'|' -f1 | grep -qw "$DB"; then
	createdb $PG "$DB"
	"$work/bangfu" migrate
	"$work/bangfu" import-divisions
	start=$(date +%s.%N)
	"$work/bangfu" demo --households "$HOUSEHOLDS" >/dev/null
	echo "demo county of $HOUSEHOLDS households loaded in $(echo "$(date +%s.%N) - $start" | bc) s"
else
	"$work/bangfu" migrate
fi
rows=$(psql $PG -d "$DB" -Atc "SELECT (SELECT count(*) FROM households) || ' households, ' || (SELECT count(*) FROM deputies) || ' deputies, ' || (SELECT count(*) FROM ledger_entries) || ' ledger entries'")

LISTEN_ADDR=127.0.0.1:$PORT "$work/bangfu" serve >"$work/server.log" 2>&1 &
server=$!
base=http://127.0.0.1:$PORT
for i in $(seq 50); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
jar="$work/jar"
curl -fs -c "$jar" -b "$jar" -o /dev/null "$base/login"
curl -fs -c "$jar" -b "$jar" -o /dev/null -H "Origin: $base" --data-urlencode username=leader \
	--data-urlencode password=bangfu-demo-2017 "$base/login"
cookie=$(awk '$6 ~ /session/ {print $6"="$7}' "$jar")
[ -n "$cookie" ] || { echo "bench: could not log in"; exit 1; }
curl -fs -H "Cookie: $cookie" -o /dev/null "$base/dashboard" # warm up

# hey_row NAME PATH: one table row from hey's report.
hey_row() {
	hey -n "$N" -c "$CONC" -H "Cookie: $cookie" "$base$2" >"$work/hey.txt"
	awk -v name="$1" '
		/Requests\/sec/ {rps=$2}
		/ 50% in/ {p50=$3*1000} / 95% in/ {p95=$3*1000} / 99% in/ {p99=$3*1000}
		/^\s*\[[0-9]+\]/ {gsub(/[\[\]]/,"",$1); if ($1 != "200") err+=$2; ok+=$2}
		END {printf "| %s | %.1f | %.1f | %.1f | %.0f | %d |\n", name, p50, p95, p99, rps, err}' "$work/hey.txt"
}
county=$(psql $PG -d "$DB" -Atc "SELECT code FROM divisions WHERE level = 'county' LIMIT 1")
year=$(date +%Y)
# The dashboard's own SQL for the county (children, period = this year):
# the figures query as store.ProgressFor sends it (taken from the source),
# the 12 months, the causes and the deputies taking part.
today=$(date +%F)
kids="ARRAY(SELECT code FROM divisions WHERE parent_code = '$county' ORDER BY code)"
awk '/^const divisionFigures = `/ {on=1; next} on && /`$/ {sub(/`$/, ""); print; exit} on {print}' internal/store/progress.go |
	sed -e "s/\$1::text\[\]/$kids/g; s/ANY (\$1)/ANY ($kids)/g" -e "s/\$2/30/g; s/\$3/60/g; s/\$4/'$today'/g" \
		-e "s/\$5/'$year-01-01'::date/g; s/\$6/'$((year + 1))-01-01'::date/g; s/\$7/$year/g" | tr '\n' ' ' >"$work/dashboard.sql"
echo ";" >>"$work/dashboard.sql"
cat >>"$work/dashboard.sql" <<SQL
SELECT day, visits, yuan FROM stats_ledger_month WHERE division_code = '$county' AND day >= '$((year - 1))-12-01' AND day < '$((year + 1))-01-01';
SELECT cause, households FROM stats_division_cause WHERE division_code = '$county' AND households > 0 ORDER BY 2 DESC, 1;
SELECT key, deputies FROM stats_participation WHERE division_code = '$county' AND deputies > 0;
SQL
pgbench $PG -n -M prepared -c "$CONC" -j 2 -T 10 -f "$work/dashboard.sql" "$DB" >"$work/pgbench.txt" 2>&1
sqlfloor=$(awk '/latency average/ {print $4}' "$work/pgbench.txt")
sqltps=$(awk '/^tps/ {printf "%.0f", $3}' "$work/pgbench.txt")
# The same township figures from the raw tables, once (no summaries).
raw=$(psql $PG -d "$DB" -At <<SQL | awk '/^Time:/ {print $2}' | tail -1
\timing on
\o /dev/null
WITH hh AS (
	SELECT h.township_code, count(*) AS households, count(ap.id) AS paired, count(*) FILTER (WHERE h.status = 'exited') AS exited,
		count(ap.id) FILTER (WHERE coalesce((SELECT max(e.entry_date) FROM ledger_entries e WHERE e.pairing_id = ap.id
			AND e.kind = 'visit' AND e.status IN ('submitted', 'approved')), ap.start_date) <= current_date - 60) AS red
	FROM households h LEFT JOIN pairings ap ON ap.household_id = h.id AND ap.status = 'active' GROUP BY 1
), le AS (
	SELECT h.township_code, sum(e.amount) FILTER (WHERE e.status = 'approved') AS yuan,
		count(*) FILTER (WHERE e.kind = 'visit' AND e.status IN ('submitted', 'approved') AND e.entry_date >= '$year-01-01') AS visits
	FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id JOIN households h ON h.id = p.household_id GROUP BY 1
)
SELECT * FROM hh LEFT JOIN le USING (township_code);
SQL
)
rss=$(awk '/VmHWM/ {print $2}' /proc/$server/status)

echo
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(psql $PG -Atc 'SHOW server_version'); data: $rows."
echo "Load: hey, $N requests, $CONC concurrent, logged in as the leader."
echo
echo "| page | p50 ms | p95 ms | p99 ms | req/s | errors |"
echo "|---|---|---|---|---|---|"
hey_row "/healthz (HTTP floor)" /healthz
hey_row "/dashboard (county, this year)" /dashboard
hey_row "/dashboard (a township)" "/dashboard?division=${county}107"
hey_row "/api/v1/progress (county)" /api/v1/progress
echo
echo "| database | figure |"
echo "|---|---|"
echo "| dashboard SQL, pgbench at $CONC clients: mean latency | $sqlfloor ms ($sqltps tx/s) |"
echo "| the township figures from the raw tables (no summaries), once | $raw ms |"
echo "| server peak RSS | $((rss / 1024)) MB |"
