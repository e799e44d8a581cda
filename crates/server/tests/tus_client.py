#!/usr/bin/env python3
"""A standard tus client (tuspy) against the endpoint, for tests/uploads.rs.

Usage: tus_client.py URL TOKEN FILE SHA256_HEX CHUNK_SIZE STOP_AT

Uploads FILE to URL (the /v1/uploads endpoint) with the institution's token, the blob's hex
SHA-256 in the metadata and sha1 chunk checksums, in chunks of CHUNK_SIZE bytes. It stops at
STOP_AT bytes, then a second uploader resumes from the upload's URL (asking the server for
the offset with HEAD) and sends the rest, as a client restarted after a cut would.
"""

import sys

from tusclient import client


def main() -> int:
    url, token, path, sha256, chunk_size, stop_at = sys.argv[1:7]
    chunk_size, stop_at = int(chunk_size), int(stop_at)
    tus = client.TusClient(url, headers={"Authorization": f"Bearer {token}"})

    first = tus.uploader(
        path, chunk_size=chunk_size, metadata={"sha256": sha256}, upload_checksum=True
    )
    first.upload(stop_at=stop_at)
    print(f"stopped at {first.offset} of {first.get_file_size()}: {first.url}", flush=True)

    second = tus.uploader(
        path, url=first.url, chunk_size=chunk_size, upload_checksum=True
    )
    print(f"resumed at {second.offset}", flush=True)
    second.upload()
    if second.offset != second.get_file_size():
        print(f"ended at {second.offset}, not {second.get_file_size()}", file=sys.stderr)
        return 1
    print(f"done at {second.offset}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
