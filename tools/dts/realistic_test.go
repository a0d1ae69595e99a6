package dts

import "testing"

// realisticFiles resembles an SoC .dtsi and a board .dts after cpp, in the
// style of the Linux arm64 trees.
func realisticFiles() map[string]string {
	return map[string]string{
		"soc.dtsi": `
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	interrupt-parent = <&gic>;

	cpus {
		#address-cells = <1>;
		#size-cells = <0>;
		cpu0: cpu@0 {
			device_type = "cpu";
			compatible = "arm,cortex-a53";
			reg = <0x0>;
			enable-method = "psci";
			clocks = <&cru 0>;
			operating-points-v2 = <&cpu_opp>;
			#cooling-cells = <2>;
		};
		cpu1: cpu@1 {
			device_type = "cpu";
			compatible = "arm,cortex-a53";
			reg = <0x1>;
			enable-method = "psci";
			operating-points-v2 = <&cpu_opp>;
		};
	};

	cpu_opp: opp-table {
		compatible = "operating-points-v2";
		opp-shared;
		opp-600000000 { opp-hz = /bits/ 64 <600000000>; opp-microvolt = <900000>; };
		opp-1200000000 { opp-hz = /bits/ 64 <1200000000>; opp-microvolt = <(1100000 + 25000)>; };
	};

	psci { compatible = "arm,psci-1.0"; method = "smc"; };

	timer {
		compatible = "arm,armv8-timer";
		interrupts = <1 13 ((0xf << 8) | 4)>, <1 14 ((0xf << 8) | 4)>,
			     <1 11 ((0xf << 8) | 4)>, <1 10 ((0xf << 8) | 4)>;
	};

	xin24m: oscillator {
		compatible = "fixed-clock";
		#clock-cells = <0>;
		clock-frequency = <24000000>;
		clock-output-names = "xin24m";
	};

	soc: soc@0 {
		compatible = "simple-bus";
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;

		gic: interrupt-controller@fee00000 {
			compatible = "arm,gic-v3";
			reg = <0x0 0xfee00000 0 0x10000>, <0x0 0xfef00000 0 0xc0000>;
			interrupts = <1 9 4>;
			interrupt-controller;
			#interrupt-cells = <3>;
		};

		cru: clock-controller@ff760000 {
			compatible = "vendor,soc-cru";
			reg = <0x0 0xff760000 0x0 0x1000>;
			clocks = <&xin24m>;
			clock-names = "xin24m";
			#clock-cells = <1>;
			#reset-cells = <1>;
		};

		uart0: serial@ff180000 {
			compatible = "vendor,soc-uart", "snps,dw-apb-uart";
			reg = <0x0 0xff180000 0x0 0x100>;
			interrupts = <0 (99 - 32) 4>;
			clocks = <&cru 77>, <&cru 78>;
			clock-names = "baudclk", "apb_pclk";
			reg-shift = <2>;
			reg-io-width = <4>;
			status = "disabled";
		};

		uart2: serial@ff1a0000 {
			compatible = "vendor,soc-uart", "snps,dw-apb-uart";
			reg = <0x0 0xff1a0000 0x0 0x100>;
			interrupts = <0 100 4>;
			clocks = <&cru 81>, <&cru 82>;
			clock-names = "baudclk", "apb_pclk";
			status = "disabled";
		};

		emmc: mmc@fe330000 {
			compatible = "vendor,soc-dwcmshc";
			reg = <0x0 0xfe330000 0x0 0x10000>;
			interrupts = <0 78 4>;
			status = "disabled";
		};

		pinctrl: pinctrl {
			compatible = "vendor,soc-pinctrl";
			gpio0: gpio@ff720000 {
				reg = <0x0 0xff720000 0x0 0x100>;
				gpio-controller;
				#gpio-cells = <2>;
			};
			uart2_xfer: uart2-xfer {
				pins = <1 10 1 &pcfg_pull_up>, <1 11 1 &pcfg_pull_none>;
			};
			pcfg_pull_up: pcfg-pull-up { bias-pull-up; };
			pcfg_pull_none: pcfg-pull-none { bias-disable; };
		};
	};
};
`,
		"main.dts": `/dts-v1/;
/memreserve/ 0x8000000 0x100000;
/include/ "soc.dtsi"

/ {
	model = "Example Board Rev. A";
	compatible = "example,board", "vendor,soc";

	aliases {
		serial2 = &uart2;
		mmc0 = &emmc;
	};

	chosen {
		stdout-path = "serial2:1500000n8";
		bootargs = "console=ttyS2,1500000 root=/dev/mmcblk0p2 rw";
	};

	memory@0 {
		device_type = "memory";
		reg = <0x0 0x00200000 0x0 0x7fe00000>;
	};

	leds {
		compatible = "gpio-leds";
		heartbeat {
			gpios = <&gpio0 13 0>;
			linux,default-trigger = "heartbeat";
		};
	};

	vcc3v3_sys: regulator-vcc3v3 {
		compatible = "regulator-fixed";
		regulator-name = "vcc3v3_sys";
		regulator-always-on;
		regulator-min-microvolt = <3300000>;
		regulator-max-microvolt = <3300000>;
	};
};

&uart2 {
	pinctrl-names = "default";
	pinctrl-0 = <&uart2_xfer>;
	status = "okay";
};

&emmc {
	bus-width = <8>;
	vmmc-supply = <&vcc3v3_sys>;
	non-removable;
	status = "okay";
};

&cpu1 {
	/delete-property/ operating-points-v2;
};

/delete-node/ &uart0;
`,
	}
}

func TestRealisticBoardMatchesDtc(t *testing.T) {
	compareWithDtc(t, "realistic", realisticFiles(), false)
	compareWithDtc(t, "realistic -@", realisticFiles(), true)
}
