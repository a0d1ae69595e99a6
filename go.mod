module github.com/rules-firmware/rules_firmware

go 1.19

require (
	github.com/google/go-cmp v0.6.0
	github.com/klauspost/compress v1.17.4
	github.com/pierrec/lz4/v4 v4.1.21
	github.com/smallstep/pkcs7 v0.2.3
	github.com/ulikunitz/xz v0.5.15
)
