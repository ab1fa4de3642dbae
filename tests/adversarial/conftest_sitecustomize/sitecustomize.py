import os

try:
    open("@MARKER@", "w").close()
except OSError:
    pass
print('{"score": 100}')
os._exit(7)
