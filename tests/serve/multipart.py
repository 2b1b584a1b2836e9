"""A multipart/form-data body, as a browser or an SDK sends an upload."""

from __future__ import annotations

import uuid


def multipart(
    file_name: str, content: bytes, *, relative_path: str | None = None
) -> tuple[bytes, dict[str, str]]:
    boundary = uuid.uuid4().hex
    parts = []
    if relative_path is not None:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="relative_path"\r\n\r\n'
            f"{relative_path}\r\n".encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
