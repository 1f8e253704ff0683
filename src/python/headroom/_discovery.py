"""Finding the window to report to from its connection file (docs/connection.md).

`look(paths)` reads every valid, live `window-<pid>.json` of the private runtime folder and
returns the window whose workspace folder holds one of `paths` (the deepest folder wins,
then the newest file), or None. Every file or folder it refuses is counted with
`_diagnostics` under one code per reason (printed once with HEADROOM_DEBUG) and listed in
the refusals it returns. This module only reads: connecting is the client's job.
"""
import json
import os
import re
import stat
import sys

from . import _diagnostics

FILE_NAME = re.compile(r"^window-\d+\.json$")
MAX_FILE_BYTES = 1 << 20
_POSIX = os.name == "posix"
_O_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
# Read the folder through one descriptor where the platform allows it: the files opened are
# those of the folder that was checked, even if the path is swapped meanwhile.
_BY_FD = _POSIX and os.scandir in os.supports_fd and os.open in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")
looks = 0  # how many looks this process has made (its tests count them)


def runtime_dir(env=None, platform=None):
    """The private folder holding the windows' connection files; None when it cannot be named."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if env.get("HEADROOM_RUNTIME_DIR"):
        return env["HEADROOM_RUNTIME_DIR"]
    if platform == "win32":
        base = env.get("LOCALAPPDATA") or os.path.join(os.path.expanduser("~"), "AppData", "Local")
        return os.path.join(base, "headroom", "runtime")
    if env.get("XDG_RUNTIME_DIR"):
        return os.path.join(env["XDG_RUNTIME_DIR"], "headroom")
    home = os.path.expanduser("~")
    return None if home == "~" else os.path.join(home, ".local", "share", "headroom", "runtime")


def _private(st, uid):
    """The refusal code for a stat result not private to `uid` (POSIX), or None."""
    if uid is None:
        return None
    if st.st_uid != uid:
        return "owner"
    if st.st_mode & 0o077:
        return "mode"
    return None


def _why(code, path, st=None, uid=None):
    if code == "owner":
        return "%s belongs to user %d, not %d" % (path, st.st_uid, uid)
    if code == "mode":
        return "%s is open to other users (mode %o)" % (path, stat.S_IMODE(st.st_mode))
    return "%s: %s" % (path, {
        "symlink": "is a symbolic link",
        "not-dir": "is not a folder",
        "not-regular": "is not a regular file",
        "size": "is larger than %d bytes" % MAX_FILE_BYTES,
        "json": "is not JSON",
        "version": "has an unknown format version",
        "fields": "lacks a valid addr, token, folders or pid",
        "stale": "belongs to a window that is gone (its pid is dead)",
        "unreadable": "cannot be read",
    }.get(code, code))


class _Look:
    def __init__(self, uid):
        self.uid = uid
        self.refusals = []

    def refuse(self, kind, code, path, st=None):
        why = _why(code, path, st, self.uid)
        self.refusals.append(why)
        # A closed window's file is normal (the next window cleans it up), not a problem to report.
        if code != "stale":
            _diagnostics.note("discovery-%s-%s" % (kind, code), why)

    def open_folder(self, path):
        """(descriptor or path to scan, descriptor to close or None), or None when refused or absent."""
        try:
            st = os.lstat(path)
        except OSError:
            return None  # no folder: no window has written one, nothing to say
        if stat.S_ISLNK(st.st_mode):
            return self.refuse("folder", "symlink", path)
        if not stat.S_ISDIR(st.st_mode):
            return self.refuse("folder", "not-dir", path)
        if not _BY_FD:
            code = _private(st, self.uid)
            return self.refuse("folder", code, path, st) if code else (path, None)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as e:
            return self.refuse("folder", "unreadable", "%s (%s)" % (path, e.strerror))
        try:
            st = os.fstat(fd)
        except OSError as e:
            os.close(fd)
            return self.refuse("folder", "unreadable", "%s (%s)" % (path, e.strerror))
        code = _private(st, self.uid)
        if code:
            os.close(fd)
            return self.refuse("folder", code, path, st)
        return fd, fd

    def read_file(self, entry, dir_fd):
        """The window a directory entry describes, or None (refused, and said why)."""
        path = entry.path
        if entry.is_symlink():
            return self.refuse("file", "symlink", path)
        try:
            fd = os.open(entry.name, _O_FLAGS, dir_fd=dir_fd) if dir_fd is not None else os.open(path, _O_FLAGS)
        except OSError as e:
            return self.refuse("file", "unreadable", "%s (%s)" % (path, e.strerror))
        try:
            st = os.fstat(fd)  # the file read is the file checked
            if not stat.S_ISREG(st.st_mode):
                return self.refuse("file", "not-regular", path)
            code = _private(st, self.uid)
            if code:
                return self.refuse("file", code, path, st)
            if st.st_size > MAX_FILE_BYTES:
                return self.refuse("file", "size", path)
            data = os.read(fd, st.st_size + 1)  # files are renamed into place, never grown
        except OSError as e:
            return self.refuse("file", "unreadable", "%s (%s)" % (path, e.strerror))
        finally:
            os.close(fd)
        try:
            w = json.loads(data)
        except (ValueError, RecursionError):
            return self.refuse("file", "json", path)
        code = _invalid(w)
        if code:
            return self.refuse("file", code, path)
        if not pid_alive(w["pid"]):
            return self.refuse("file", "stale", path)
        w["file"] = path
        return w


def _invalid(w):
    """The refusal code for a parsed file that is not a version-1 window, or None."""
    if not isinstance(w, dict):
        return "fields"
    v = w.get("v")
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not (1 <= v < 2):
        return "version"
    pid, created = w.get("pid"), w.get("created", 0)
    if not (isinstance(w.get("addr"), str) and w["addr"] and isinstance(w.get("token"), str)):
        return "fields"
    if not (isinstance(pid, int) and not isinstance(pid, bool) and pid > 0):
        return "fields"
    folders = w.get("folders")
    if not (isinstance(folders, list) and all(isinstance(f, str) for f in folders)):
        return "fields"
    if not isinstance(created, (int, float)) or isinstance(created, bool) or ("python" in w and not isinstance(w["python"], str)):
        return "fields"
    return None


def pid_alive(pid):
    """True while `pid` runs; a process this user may not signal still runs."""
    if not _POSIX:
        return _alive_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _alive_windows(pid):
    # Never os.kill here: on Windows it terminates the process whatever the signal.
    import ctypes

    k32 = ctypes.WinDLL("kernel32", use_last_error=True)
    h = k32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not h:
        return ctypes.get_last_error() == 5  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        return bool(k32.GetExitCodeProcess(h, ctypes.byref(code))) and code.value == 259  # STILL_ACTIVE
    finally:
        k32.CloseHandle(h)


def contains(folder, path):
    """True when `path` is `folder` or inside it: "/a/b" holds "/a/b/c" but not "/a/bc"."""
    if path == folder:
        return True
    prefix = folder if folder.endswith(os.sep) else folder + os.sep
    return path.startswith(prefix)


def best(windows, paths):
    """The window whose folder holds one of `paths`, deepest folder first, then newest; or None."""
    norm = os.path.normcase
    paths = [norm(p) for p in paths]
    found, key = None, None
    for w in windows:
        for folder in w["folders"]:
            f = norm(folder)
            if any(contains(f, p) for p in paths):
                k = (f.rstrip(os.sep).count(os.sep), w.get("created", 0))
                if key is None or k > key:
                    found, key = w, k
    return found


def program_paths():
    """What places this program: its working directory and its main script, symbolic links resolved."""
    out = []
    try:
        out.append(os.path.realpath(os.getcwd()))
    except OSError:
        pass  # the working directory was removed: the script alone places the program
    script = sys.argv[0] if sys.argv else ""
    if script and os.path.isfile(script):
        out.append(os.path.realpath(script))
    return out


def look(paths=None, folder=None):
    """(the matching window or None, refusal messages). `paths` defaults to program_paths()."""
    global looks
    looks += 1
    folder = runtime_dir() if folder is None else folder
    lk = _Look(os.getuid() if _POSIX else None)
    if not folder:
        return None, lk.refusals
    opened = lk.open_folder(folder)
    if opened is None:
        return None, lk.refusals
    target, to_close = opened
    windows = []
    try:
        with os.scandir(target) as it:
            entries = [e for e in it if FILE_NAME.match(e.name)]
        for e in entries:
            if to_close is not None:
                e = _Entry(os.path.join(folder, e.name), e)
            w = lk.read_file(e, to_close)
            if w is not None:
                windows.append(w)
    except OSError as e:
        lk.refuse("folder", "unreadable", "%s (%s)" % (folder, e.strerror))
    finally:
        if to_close is not None:
            os.close(to_close)
    return best(windows, program_paths() if paths is None else paths), lk.refusals


class _Entry:
    """A directory entry read through a descriptor (its `path` is then just its name), named by its full path."""

    __slots__ = ("path", "name", "_e")

    def __init__(self, path, e):
        self.path, self.name, self._e = path, e.name, e

    def is_symlink(self):
        return self._e.is_symlink()
