package binmandesc

// binman's powerpc-mpc85xx-bootpg-resetvec: U-Boot's MPC85xx boot page
// and reset vector, a plain blob read from u-boot-br.bin.
func registerMpc85xx() {
	namedBlobs["powerpc-mpc85xx-bootpg-resetvec"] = namedBlob{file: "u-boot-br.bin"}
}
