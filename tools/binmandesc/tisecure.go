package binmandesc

// TI K3 signing (ti-secure, ti-secure-rom): binman makes an X.509
// certificate with openssl from TI's template over a collection of
// entries. fwtool checks the description as binman's x509-cert base does
// (content, keyfile), then refuses the type by name: openssl's
// certificate has a random serial number and the build time in it.
func init() {
	refuseX509("ti-secure", "TI K3 signing runs openssl with TI's certificate template")
	refuseX509("ti-secure-rom", "TI K3 ROM signing runs openssl with TI's certificate template")
}
