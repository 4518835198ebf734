#!/bin/sh
# Benchmarks at scale (issues 6 and 10). On this machine, in one go:
#   1. a database bangfu_bench with the demo county at $HOUSEHOLDS households
#      (default 100,000: 20,000 deputies, about 1,000,000 ledger entries),
#      created once and reused (BENCH_FRESH=1 recreates it);
#   2. the server built and started on $PORT against it;
#   3. hey (Debian package hey) at $CONC concurrent users against /healthz
#      (the HTTP floor), the dashboard (leader), the household list of a
#      township and a household page (staff), and ledger entry submits
#      (POST, deputy.demo); then the Excel export of every household (staff,
#      the export job timed to its end, with the server's peak RSS);
#   4. Go benchmarks of the hot code (ID check, matcher, scoring, templ
#      rendering of the dashboard and a household list page);
#   5. pgbench at the same concurrency running the dashboard's SQL directly
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
for tool in hey wrk pgbench curl psql bc; do
	command -v $tool >/dev/null || { echo "bench: $tool is missing (apt-get install hey wrk postgresql-client curl bc)"; exit 1; }
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
	# What autovacuum would do within minutes of a bulk load: visibility
	# map and statistics, so that index-only scans and plans are steady.
	psql $PG -d "$DB" -qc "VACUUM ANALYZE"
else
	"$work/bangfu" migrate
fi
rows=$(psql $PG -d "$DB" -Atc "SELECT (SELECT count(*) FROM households) || ' households, ' || (SELECT count(*) FROM deputies) || ' deputies, ' || (SELECT count(*) FROM ledger_entries) || ' ledger entries'")

# GOMEMLIMIT as docs/operations.md recommends: the Go heap stays near it.
GOMEMLIMIT=${GOMEMLIMIT:-120MiB} LISTEN_ADDR=127.0.0.1:$PORT "$work/bangfu" serve >"$work/server.log" 2>&1 &
server=$!
base=http://127.0.0.1:$PORT
for i in $(seq 50); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
# login USER: prints the session cookie of a fresh login.
login() {
	jar="$work/jar-$1"
	curl -fs -c "$jar" -b "$jar" -o /dev/null "$base/login"
	curl -fs -c "$jar" -b "$jar" -o /dev/null -H "Origin: $base" --data-urlencode "username=$1" \
		--data-urlencode password=bangfu-demo-2017 "$base/login"
	awk '$6 ~ /session/ {print $6"="$7}' "$jar"
}
cookie=$(login leader)
staff=$(login office)
deputy=$(login deputy.demo)
[ -n "$cookie" ] && [ -n "$staff" ] && [ -n "$deputy" ] || { echo "bench: could not log in"; exit 1; }
curl -fs -H "Cookie: $cookie" -o /dev/null "$base/dashboard" # warm up

# hey_row NAME PATH [COOKIE [hey options]]: one table row from hey's report.
hey_row() {
	name=$1 path=$2 c=${3:-$cookie}
	shift 2
	[ $# -gt 0 ] && shift
	hey -n "$N" -c "$CONC" -H "Cookie: $c" "$@" "$base$path" >"$work/hey.txt"
	set -- "$name"
	awk -v name="$1" '
		/Requests\/sec/ {rps=$2}
		/ 50% in/ {p50=$3*1000} / 95% in/ {p95=$3*1000} / 99% in/ {p99=$3*1000}
		/^\s*\[[0-9]+\]/ {gsub(/[\[\]]/,"",$1); if ($1 != "200") err+=$2; ok+=$2}
		END {printf "| %s | %.1f | %.1f | %.1f | %.0f | %d |\n", name, p50, p95, p99, rps, err}' "$work/hey.txt" | tee -a "$work/rows.txt"
}
# p50_of NAME: the p50 (ms) of a row printed by hey_row.
p50_of() { awk -F' [|] ' -v name="$1" '$1 == "| " name {print $2}' "$work/rows.txt"; }
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
SELECT day, sum(visits), sum(yuan) FROM stats_ledger_month WHERE (division_code = '$county' OR (length('$county') = 6 AND length(division_code) = 9 AND left(division_code, 6) = '$county')) AND day >= '$((year - 1))-12-01' AND day < '$((year + 1))-01-01' GROUP BY day;
SELECT cause, sum(households) FROM stats_division_cause WHERE (division_code = '$county' OR (length('$county') = 6 AND length(division_code) = 9 AND left(division_code, 6) = '$county')) GROUP BY cause HAVING sum(households) > 0 ORDER BY 2 DESC, 1;
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

# Go benchmarks of the hot code (no database): ID check, matcher, scoring,
# templ rendering of the dashboard and of a household list page.
go test -run '^$' -bench . -benchmem -benchtime 2s ./internal/idcard ./internal/scoring \
	./web/pages/dashboard ./web/pages/households >"$work/gobench.txt" 2>&1
go test -run '^$' -bench BenchmarkAssignCounty -benchtime 5x ./internal/matcher >>"$work/gobench.txt" 2>&1
# The Excel import of 10,000 new households (33,000 people) into a fresh
# registry: read + validate the workbook, then import it in one transaction.
go test -run '^$' -bench BenchmarkImportHouseholds10k -benchtime 1x ./internal/store >"$work/import.txt" 2>&1

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
township=$(psql $PG -d "$DB" -Atc "SELECT code FROM divisions WHERE parent_code = '$county' ORDER BY code LIMIT 1 OFFSET 6")
household=$(psql $PG -d "$DB" -Atc "SELECT id FROM households WHERE township_code = '$township' ORDER BY id LIMIT 1 OFFSET 100")
hey_row "/households?division=… (a township, page 1)" "/households?division=$township" "$staff"
hey_row "/households/{id} (a household page)" "/households/$household" "$staff"
# The database floor of those two pages: their store calls (and the session
# and user look-ups) at the same concurrency, without HTTP or rendering.
BENCH_DATABASE_URL="$DATABASE_URL" BENCH_TOWNSHIP="$township" BENCH_HOUSEHOLD="$household" \
	go test -run '^$' -bench BenchmarkPageSQL -benchtime 3000x ./internal/store >"$work/floor.txt" 2>&1
floor_p50() { awk -v n="BenchmarkPageSQL/$1-" 'index($1, n) == 1 {for (i=1; i<NF; i++) if ($(i+1) == "p50-ms") print $i}' "$work/floor.txt"; }
floor_p95() { awk -v n="BenchmarkPageSQL/$1-" 'index($1, n) == 1 {for (i=1; i<NF; i++) if ($(i+1) == "p95-ms") print $i}' "$work/floor.txt"; }
pairing=$(psql $PG -d "$DB" -Atc "SELECT p.id FROM pairings p JOIN users u ON u.deputy_id = p.deputy_id WHERE u.username = 'deputy.demo' AND p.status = 'active' ORDER BY p.id LIMIT 1")
before=$(psql $PG -d "$DB" -Atc "SELECT count(*) FROM ledger_entries")
# hey sends one body, so one form token: the first request creates the
# entry, the others are its identical resends (a double click), answered
# from the stored entry under its row lock.
hey_row "POST /pairings/{id}/ledger (one deputy, hey)" "/pairings/$pairing/ledger" "$deputy" -m POST \
	-T application/x-www-form-urlencoded -H "Origin: $base" \
	-d "form_token=$(cat /proc/sys/kernel/random/uuid)&entry_date=$(date +%F)&kind=visit&description=%E8%B5%B0%E8%AE%BF%E4%BA%86%E8%A7%A3%E8%BF%91%E5%86%B5&amount=&action=submit"
# Submits spread over 16 deputies in different villages (wrk with a Lua
# script: each request is one deputy's visit to its own household). The
# bench accounts share deputy.demo's password hash; logins are throttled to
# 20 a minute per address, so 16 plus the three above fit.
psql $PG -d "$DB" -q <<SQL
INSERT INTO users (username, display_name, password_hash, role, deputy_id)
SELECT 'bench.' || d.id, d.name, (SELECT password_hash FROM users WHERE username = 'deputy.demo'), 'deputy', d.id
FROM (SELECT DISTINCT ON (h.village_code) p.deputy_id AS id FROM pairings p JOIN households h ON h.id = p.household_id
	WHERE p.status = 'active' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.deputy_id = p.deputy_id)
	ORDER BY h.village_code, p.deputy_id LIMIT 16) x JOIN deputies d ON d.id = x.id
ON CONFLICT DO NOTHING;
SQL
: >"$work/deputies.txt"
for u in $(psql $PG -d "$DB" -Atc "SELECT username FROM users WHERE username LIKE 'bench.%' ORDER BY username LIMIT 16"); do
	p=$(psql $PG -d "$DB" -Atc "SELECT p.id FROM pairings p JOIN users u ON u.deputy_id = p.deputy_id WHERE u.username = '$u' AND p.status = 'active' ORDER BY p.id LIMIT 1")
	echo "$(login "$u") $p" >>"$work/deputies.txt"
done
cat >"$work/submit.lua" <<'LUA'
local list = {}
for line in io.lines(os.getenv("BENCH_DEPUTIES")) do
	local c, p = line:match("(%S+) (%S+)")
	if c and p then list[#list + 1] = {cookie = c, pairing = p} end
end
local body = "entry_date=" .. os.date("%Y-%m-%d") .. "&kind=visit&description=%E8%B5%B0%E8%AE%BF%E4%BA%86%E8%A7%A3%E8%BF%91%E5%86%B5&amount=&action=submit"
init = function()
	-- each wrk thread has its own Lua state: seed them apart so that their
	-- form tokens differ
	math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000003)
end
request = function()
	local d = list[math.random(#list)]
	-- every form carries its own token (a version 4 UUID)
	local token = string.format("%08x-%04x-4%03x-%04x-%06x%06x", math.random(0, 0x7fffffff), math.random(0, 0xffff),
		math.random(0, 0xfff), 0x8000 + math.random(0, 0x3fff), math.random(0, 0xffffff), math.random(0, 0xffffff))
	return wrk.format("POST", "/pairings/" .. d.pairing .. "/ledger", {
		["Cookie"] = d.cookie, ["Origin"] = os.getenv("BENCH_BASE"),
		["Content-Type"] = "application/x-www-form-urlencoded"}, "form_token=" .. token .. "&" .. body)
end
done = function(summary, latency, requests)
	local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status
	io.write(string.format("| POST /pairings/{id}/ledger (16 deputies, wrk) | %.1f | %.1f | %.1f | %.0f | %d |\n",
		latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
		summary.requests / (summary.duration / 1e6), errors))
end
LUA
submit_row=$(BENCH_DEPUTIES="$work/deputies.txt" BENCH_BASE="$base" wrk -t 2 -c "$CONC" -d 10s -s "$work/submit.lua" "$base" | grep '^| POST')
created=$(( $(psql $PG -d "$DB" -Atc "SELECT count(*) FROM ledger_entries") - before ))
# Remove the benchmark's own entries (not approved, so the guard allows it).
psql $PG -d "$DB" -qc "DELETE FROM ledger_entries WHERE status = 'submitted' AND description = '走访了解近况' AND entry_date = current_date"
# The export of every household: start the job, wait for its end.
start=$(date +%s.%N)
loc=$(curl -fs -o /dev/null -w '%{redirect_url}' -H "Cookie: $staff" -H "Origin: $base" -X POST "$base/households/export")
job=${loc##*/}
while [ "$(psql $PG -d "$DB" -Atc "SELECT status FROM jobs WHERE id = $job")" = running ]; do sleep 0.2; done
export_s=$(echo "$(date +%s.%N) - $start" | bc)
export_status=$(psql $PG -d "$DB" -Atc "SELECT status || ', ' || pg_size_pretty((SELECT sum(length(data)) FROM job_file_chunks WHERE job_id = $job)) FROM jobs WHERE id = $job")
echo "$submit_row"
echo
echo "| database | figure |"
echo "|---|---|"
echo "| dashboard SQL, pgbench at $CONC clients: mean latency | $sqlfloor ms ($sqltps tx/s) |"
echo "| household list SQL (store calls + session + user), $CONC callers: p50 / p95 | $(floor_p50 households) / $(floor_p95 households) ms |"
echo "| household page SQL (store calls + session + user), $CONC callers: p50 / p95 | $(floor_p50 household) / $(floor_p95 household) ms |"
awk '/^BenchmarkImportHouseholds10k/ {for (i=1; i<NF; i++) {if ($(i+1) == "read-s/op") r=$i; if ($(i+1) == "import-s/op") m=$i}
	printf "| Excel import of 10,000 new households (33,000 people): read + validate, import | %.2f s + %.2f s = %.2f s |\n", r, m, r + m}' "$work/import.txt"
echo "| the township figures from the raw tables (no summaries), once | $raw ms |"
echo "| ledger entries created by the two submit runs (all deleted afterwards) | $created |"
echo "| Excel export of all $(psql $PG -d "$DB" -Atc 'SELECT count(*) FROM households') households (job start to end) | $export_s s ($export_status) |"
echo "| server peak RSS (whole run, GOMEMLIMIT=${GOMEMLIMIT:-120MiB}) | $(( $(awk '/VmHWM/ {print $2}' /proc/$server/status) / 1024 )) MB |"
echo
echo "Each page against its floors (p50 ÷ the /healthz p50, p50 ÷ its SQL's p50 or mean at the same concurrency):"
echo
echo "| page | × HTTP floor | × database floor |"
echo "|---|---|---|"
http=$(p50_of "/healthz (HTTP floor)")
ratio() { echo "scale=1; $1 / $2" | bc; }
echo "| dashboard (county) | $(ratio "$(p50_of "/dashboard (county, this year)")" "$http") | $(ratio "$(p50_of "/dashboard (county, this year)")" "$sqlfloor") |"
echo "| household list | $(ratio "$(p50_of "/households?division=… (a township, page 1)")" "$http") | $(ratio "$(p50_of "/households?division=… (a township, page 1)")" "$(floor_p50 households)") |"
echo "| household page | $(ratio "$(p50_of "/households/{id} (a household page)")" "$http") | $(ratio "$(p50_of "/households/{id} (a household page)")" "$(floor_p50 household)") |"
echo
echo "| Go benchmark | time per operation | allocated per operation |"
echo "|---|---|---|"
awk '/^Benchmark/ {name=$1; sub(/-[0-9]+$/, "", name); t=$3; u=$4; m=""; for (i=5; i<=NF; i++) if ($(i+1) == "B/op") m=$i " B"; printf "| %s | %s %s | %s |\n", name, t, u, m}' "$work/gobench.txt"
