# Bangfu: `make run` sets everything up and serves http://localhost:8080;
# `make test` checks generated code, vets, runs staticcheck and runs every test against the
# PostgreSQL on 127.0.0.1:5432 (see README.md).
GO ?= go

.PHONY: run test generate check-generated vet staticcheck build clean bench bench-uploads fuzz

run:
	$(GO) run ./cmd/bangfu up

build:
	$(GO) build -o bin/bangfu ./cmd/bangfu

generate:
	$(GO) tool templ generate -path web

# Fails when a .templ file and its committed _templ.go disagree.
check-generated:
	@$(GO) tool templ generate -path web >/dev/null 2>&1
	@if [ -n "$$(git status --porcelain -- web)" ]; then \
		echo "generated templ code is stale; run 'make generate' and commit:"; git status --porcelain -- web; exit 1; \
	fi

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v '_templ.go$$'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go' | grep -v '_templ.go$$'); exit 1; }
	$(GO) vet ./...

# staticcheck is pinned as a tool in go.mod (honnef.co/go/tools).
staticcheck:
	$(GO) tool staticcheck ./...

test: check-generated vet staticcheck
	$(GO) test -count=1 ./...

# Fuzz targets, FUZZTIME each (default 60s); `make test` runs their seeds.
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/idcard
	$(GO) test -run '^$$' -fuzz '^FuzzParseYuan$$' -fuzztime $(FUZZTIME) ./internal/money
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/period
	$(GO) test -run '^$$' -fuzz '^FuzzReadHouseholds$$' -fuzztime $(FUZZTIME) ./internal/xlsx

# Load benchmark at 100,000 households (scripts/bench.sh; needs hey, wrk, pgbench).
bench:
	sh scripts/bench.sh

# Peak RSS of reading hostile .xlsx uploads (190-million-character cell, zip
# bomb, 1,048,576 rows, three at once) and a 60,000-row roster, each in a
# child process (docs/performance.md, "Hostile uploads").
bench-uploads:
	$(GO) test -run '^$$' -bench '^BenchmarkHostileUploads$$' -benchtime 1x ./internal/xlsx

clean:
	rm -rf bin .data
