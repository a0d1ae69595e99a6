"""Providers: the contract between rules_firmware rules.

Every rule that produces an image returns FirmwareImageInfo, so any image
can be used wherever a file is expected: as a layout entry, a FIT image, a
disk partition, or a flash-layout binary.
"""

FirmwareImageInfo = provider(
    doc = "An image produced by a rules_firmware rule.",
    fields = {
        "file": "File: the image bytes.",
        "kind": "string: format of file, e.g. 'uimage', 'fit', 'stm32', 'fip', 'env', 'dtb', 'layout', 'disk', 'vfat', 'squashfs', 'blob'.",
        "arch": "string or None: CPU architecture as mkimage names it ('arm', 'arm64', ...).",
        "os": "string or None: operating system as mkimage names it ('linux', 'u-boot', ...).",
        "image_type": "string or None: mkimage image type ('kernel', 'firmware', ...).",
        "compression": "string: compression of the payload ('none', 'gzip', 'lz4', ...).",
        "load_address": "string or None: load address, as hex text (\"0xc2000000\"): Starlark ints are 32-bit signed.",
        "entry_point": "string or None: entry point, as hex text.",
        "payload": "File or None: the unwrapped payload, where the format wraps one (the data a FIT or layout may want instead of the wrapped image).",
        "map": "File or None: a layout map describing where things are inside file.",
        "metadata": "dict of string to string: format-specific facts (e.g. {'name': ...}).",
    },
)

def firmware_image_info(file, kind, arch = None, os = None, image_type = None, compression = "none", load_address = None, entry_point = None, payload = None, map = None, metadata = None):
    """Builds a FirmwareImageInfo with defaults for the optional fields."""
    return FirmwareImageInfo(
        file = file,
        kind = kind,
        arch = arch,
        os = os,
        image_type = image_type,
        compression = compression,
        load_address = load_address,
        entry_point = entry_point,
        payload = payload,
        map = map,
        metadata = metadata or {},
    )
