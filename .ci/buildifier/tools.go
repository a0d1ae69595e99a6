//go:build tools

// Package buildifier pins the buildifier CI lints Starlark with, and every
// module it needs (go.sum), so lint results do not drift between runs.
package buildifier

import _ "github.com/bazelbuild/buildtools/buildifier"
