module rules_firmware/tools/docgen

go 1.24

require github.com/bazelbuild/buildtools v0.0.0-20260904073137-eaa4d125b423
