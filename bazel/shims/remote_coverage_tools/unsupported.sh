#!/bin/sh
echo "remote_coverage_tools shim: coverage through Bazel is not supported offline; use 'go test -cover ./...'" >&2
exit 1
