package gpt

import (
	"fmt"
	"strings"
)

// typeShortcut is one name accepted for a partition type GUID. The names and
// GUIDs are those genimage accepts for partition-type-uuid (its one-letter
// shortcuts and its longer names, including the Discoverable Partitions
// Specification ones), so configs written for genimage keep working.
type typeShortcut struct {
	name string
	guid string
}

var typeShortcuts = []typeShortcut{
	{"L", "0fc63daf-8483-4772-8e79-3d69d8477de4"},
	{"linux", "0fc63daf-8483-4772-8e79-3d69d8477de4"},
	{"linux-generic", "0fc63daf-8483-4772-8e79-3d69d8477de4"},
	{"S", "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f"},
	{"swap", "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f"},
	{"H", "933ac7e1-2eb4-4f13-b844-0e14e2aef915"},
	{"home", "933ac7e1-2eb4-4f13-b844-0e14e2aef915"},
	{"U", "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"},
	{"uefi", "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"},
	{"esp", "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"},
	{"R", "a19d880f-05fc-4d3b-a006-743f0f84911e"},
	{"raid", "a19d880f-05fc-4d3b-a006-743f0f84911e"},
	{"V", "e6d6d379-f507-44c2-a23c-238f2a3df928"},
	{"lvm", "e6d6d379-f507-44c2-a23c-238f2a3df928"},
	{"F", "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7"},
	{"fat32", "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7"},
	{"barebox-state", "4778ed65-bf42-45fa-9c5b-287a1dc4aab1"},
	{"barebox-env", "6c3737f2-07f8-45d1-ad45-15d260aab24d"},
	{"linux-reserved", "8da63339-0007-60c0-c436-083ac8230908"},
	{"u-boot-env", "3de21764-95bd-54bd-a5c3-4abe786f38a8"},
	{"xbootldr", "bc13c2ff-59e6-4262-a352-b275fd6f7172"},
	{"srv", "3b8f8425-20e0-4f3b-907f-1a25a76f98e8"},
	{"var", "4d21b016-b534-45c2-a9fb-5c16e091fd2d"},
	{"tmp", "7ec6f557-3bc5-4aca-b293-16ef5df639d1"},
	{"user-home", "773f91ef-66d4-49b5-bd83-d683bf40ad16"},
	{"root-arm", "69dad710-2ce4-4e3c-b16c-21a1d49abed3"},
	{"root-arm64", "b921b045-1df0-41c3-af44-4c6f280d3fae"},
	{"root-riscv32", "60d5a7fe-8e7d-435c-b714-3dd8162144e1"},
	{"root-riscv64", "72ec70a6-cf74-40e6-bd49-4bda08e8f224"},
	{"root-x86", "44479540-f297-41b2-9af7-d131d5f0458a"},
	{"root-x86-64", "4f68bce3-e8cd-4db1-96e7-fbcaf984b709"},
	{"usr-arm", "7d0359a3-02b3-4f0a-865c-654403e70625"},
	{"usr-arm64", "b0e01050-ee5f-4390-949a-9101b17104e9"},
	{"usr-riscv32", "b933fb22-5c3f-4f91-af90-e2bb0fa50702"},
	{"usr-riscv64", "beaec34b-8442-439b-a40b-984381ed097d"},
	{"usr-x86", "75250d76-8cc6-458e-bd66-bd47cc81a812"},
	{"usr-x86-64", "8484680c-9521-48c6-9c11-b0720656f69e"},
	{"root-arm-verity", "7386cdf2-203c-47a9-a498-f2ecce45a2d6"},
	{"root-arm64-verity", "df3300ce-d69f-4c92-978c-9bfb0f38d820"},
	{"root-x86-64-verity", "2c7357ed-ebd2-46d9-aec1-23d437ec2bf5"},
	{"usr-arm-verity", "c215d751-7bcd-4649-be90-6627490a4c05"},
	{"usr-arm64-verity", "6e11a4e7-fbca-4ded-b9e9-e1a512bb664e"},
	{"usr-x86-64-verity", "77ff5f63-e7b6-4633-acf4-1565b864c0e6"},
	{"root-arm-verity-sig", "42b0455f-eb11-491d-98d3-56145ba9d037"},
	{"root-arm64-verity-sig", "6db69de6-29f4-4758-a7a5-962190f00ce3"},
	{"root-x86-64-verity-sig", "41092b05-9fc8-4523-994f-2def0408b176"},
	{"usr-arm-verity-sig", "d7ff812f-37d1-4902-a810-d76ba57b975a"},
	{"usr-arm64-verity-sig", "c23ce4ff-44bd-4b00-b2d4-b41b3419e02a"},
	{"usr-x86-64-verity-sig", "e7bb33fb-06cf-4e81-8273-e543b413e2e2"},
}

// ParseType resolves a partition type given as a GUID or as one of
// genimage's shortcut names (case-insensitive, as genimage compares them).
func ParseType(s string) (GUID, error) {
	for _, t := range typeShortcuts {
		if strings.EqualFold(t.name, s) {
			return mustParse(t.guid), nil
		}
	}
	if len(s) == 36 {
		return ParseGUID(s)
	}
	return GUID{}, fmt.Errorf("invalid partition type %q: neither a GUID nor a known name (L S H U R V F, linux, esp, u-boot-env, ...)", s)
}

// TypeName returns a readable name for a type GUID (the longest-standing
// name for it), or "" when it is not in the table.
func TypeName(g GUID) string {
	s := g.String()
	for _, t := range typeShortcuts {
		if t.guid == s && len(t.name) > 1 {
			return t.name
		}
	}
	return ""
}

// TypeForMBR maps an MBR partition type byte to the GPT type GUID that
// denotes the same content, so that a config written for an MBR (or copied
// from the STM32MP1 factory-flashing article, which sets partition-type
// 0x83 on GPT partitions) keeps working on GPT.
func TypeForMBR(t byte) (GUID, error) {
	name := ""
	switch t {
	case 0x83:
		name = "linux"
	case 0x82:
		name = "swap"
	case 0xef:
		name = "esp"
	case 0x01, 0x04, 0x06, 0x07, 0x0b, 0x0c, 0x0e:
		name = "fat32" // "Microsoft basic data", which covers FAT and NTFS/exFAT
	case 0xfd:
		name = "raid"
	case 0x8e:
		name = "lvm"
	default:
		return GUID{}, fmt.Errorf("MBR partition type 0x%02x has no GPT equivalent; give a partition type GUID instead", t)
	}
	return ParseType(name)
}
