FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /bangfu ./cmd/bangfu

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /bangfu /bangfu
EXPOSE 8080
# Soft memory limit of the Go runtime: the collector keeps the heap near it
# instead of letting it grow to twice the live data (docs/operations.md).
# Override with -e GOMEMLIMIT=... for a larger county.
ENV GOMEMLIMIT=120MiB
ENTRYPOINT ["/bangfu"]
CMD ["serve"]
