"""Discovery in real programs: when the look happens (once, at the first reporting call, never
at import), what the working directory and the script decide, HEADROOM=off, connect(),
`python -m headroom env`, the hello's rank fields, and a listener that receives (or not)."""
import json
import os
import socket
import subprocess
import sys
import unittest

from .discovery_helpers import STATE, Listener, Runtime, dead_pid, program_env, run_program
from .helpers import run_logged


class Base(unittest.TestCase):
    def setUp(self):
        self.rt = Runtime()
        self.addCleanup(self.rt.close)

    def state(self, cwd, script_dir=None, code=STATE, **env):
        return run_program(code, cwd, self.rt.dir, script_dir, env)[0]


class When(Base):
    def test_the_look_happens_once_at_the_first_reporting_call_not_at_import_and_a_fork_inherits_it(self):
        f = self.rt.folder("proj")
        self.rt.window([f], token="w")
        s, p = run_program("""
            import json, os, headroom
            from headroom import _discovery
            at_import = _discovery.looks
            d0 = headroom.diagnostics()["source"]
            headroom.checkpoint("one")
            with headroom.track("two"):
                pass
            headroom.checkpoint("three")
            m = headroom.EpochMonitor(print_fn=None)
            m.on_epoch_start(); m.on_batch_end(0); m.on_epoch_end()
            headroom.enabled()
            parent = _discovery.looks
            pid = os.fork()
            if pid == 0:
                headroom.checkpoint("child")
                print(json.dumps({"child_looks": _discovery.looks, "child_source": headroom.diagnostics()["source"]}), flush=True)
                os._exit(0)
            os.waitpid(pid, 0)
            print(json.dumps({"at_import": at_import, "before": d0, "looks": parent, "source": headroom.diagnostics()["source"]}))
        """, f, self.rt.dir)
        self.assertEqual(s, {"at_import": 0, "before": "pending", "looks": 1, "source": "window"})
        self.assertEqual(json.loads(p.stdout.splitlines()[0]), {"child_looks": 1, "child_source": "window"})

    def test_nothing_found_is_kept_too_and_the_disabled_path_stays_fast(self):
        s = self.state(self.rt.root, code="""
            import json, time, headroom
            from headroom import _discovery
            headroom.checkpoint()
            f = headroom.checkpoint
            t0 = time.perf_counter()
            for _ in range(200000):
                f("x")
            per_call = (time.perf_counter() - t0) / 200000
            from headroom import _connection
            plain = _connection.client.__code__ is _connection._answered.__code__
            print(json.dumps({"looks": _discovery.looks, "source": headroom.diagnostics()["source"], "ns": per_call * 1e9, "plain": plain}))
        """)
        self.assertEqual((s["looks"], s["source"], s["plain"]), (1, "none", True))
        self.assertLess(s["ns"], 2000)

    def test_headroom_off_and_headroom_disable_do_not_look(self):
        f = self.rt.folder("proj")
        self.rt.window([f])
        for env in ({"HEADROOM": "off"}, {"HEADROOM": "OFF"}, {"HEADROOM_DISABLE": "1"}):
            with self.subTest(env):
                s = self.state(f, **env)
                self.assertEqual((s["looks"], s["source"], s["enabled"]), (0, "off", False))

    def test_an_address_in_the_environment_wins_without_a_look(self):
        f = self.rt.folder("proj")
        self.rt.window([f])
        s = self.state(f, HEADROOM_ADDR="unix:/nowhere/else.sock", HEADROOM_TOKEN="env")
        self.assertEqual((s["looks"], s["source"], s["enabled"]), (0, "env", True))


class Where(Base):
    def test_the_working_directory_places_the_program(self):
        f = self.rt.folder("proj")
        path = self.rt.window([f], token="w")
        s = self.state(self.rt.folder("proj", "src"))
        self.assertEqual((s["source"], s["window"], s["enabled"]), ("window", path, True))

    def test_the_script_places_the_program_when_the_directory_does_not(self):
        f = self.rt.folder("proj")
        path = self.rt.window([f], token="w")
        s = self.state(self.rt.folder("outside"), script_dir=self.rt.folder("proj", "scripts"))
        self.assertEqual((s["source"], s["window"]), ("window", path))

    def test_the_deeper_of_directory_and_script_wins(self):
        a = self.rt.window([self.rt.folder("a")], token="a", created=1e10)  # newest, but shallower
        b = self.rt.window([self.rt.folder("b", "deep")], token="b")
        self.assertEqual(self.state(self.rt.folder("a"), script_dir=self.rt.folder("b", "deep", "s"))["window"], b)
        self.assertEqual(self.state(self.rt.folder("b", "deep"), script_dir=self.rt.folder("a", "x"))["window"], b)
        self.assertEqual(self.state(self.rt.folder("a", "x"), script_dir=self.rt.folder("elsewhere"))["window"], a)

    def test_a_symlinked_working_directory_is_resolved(self):
        f = self.rt.folder("proj")
        path = self.rt.window([f])
        link = os.path.join(self.rt.root, "link-to-proj")
        os.symlink(f, link)
        self.assertEqual(self.state(link)["window"], path)

    def test_a_program_outside_every_folder_never_connects(self):
        self.rt.window([self.rt.folder("a", "b")])
        for cwd in (self.rt.folder("a", "bc"), self.rt.folder("a"), self.rt.root):
            with self.subTest(cwd):
                s = self.state(cwd)
                self.assertEqual((s["looks"], s["source"], s["enabled"], s["window"]), (1, "none", False, None))

    def test_refusals_are_counted_and_printed_once_with_headroom_debug(self):
        f = self.rt.folder("proj")
        self.rt.window([f], mode=0o644)
        self.rt.window([f], mode=0o640)
        self.rt.window([f], pid=dead_pid())
        s, p = run_program(STATE, f, self.rt.dir, extra_env={"HEADROOM_DEBUG": "1"})
        self.assertEqual(s["errors"], {"discovery-file-mode": 2})
        self.assertEqual(p.stderr.count("discovery-file-mode"), 1, p.stderr)
        self.assertEqual(p.stderr.count("discovery-file-stale"), 0, p.stderr)
        _, quiet = run_program(STATE, f, self.rt.dir)
        self.assertEqual(quiet.stderr, "")


class EndToEnd(Base):
    def setUp(self):
        super().setUp()
        self.listener = Listener()
        self.addCleanup(self.listener.close)

    def test_a_program_in_a_workspace_says_hello_with_the_window_token(self):
        f = self.rt.folder("proj")
        self.rt.window([self.rt.folder("other")], token="not this one", addr=self.listener.addr)
        self.rt.window([f], token="the window's token", addr=self.listener.addr)
        run_program("import headroom\nheadroom.checkpoint('hi')\n", f, self.rt.dir)
        records = self.listener.records(wait_for="bye")
        self.assertEqual(len(self.listener.connections), 1)
        self.assertEqual(records[0]["type"], "hello")
        self.assertEqual(records[0]["token"], "the window's token")
        self.assertEqual([r.get("label") for r in records if r["type"] == "checkpoint"], ["hi"])

    def test_a_program_outside_sends_nothing(self):
        self.rt.window([self.rt.folder("proj")], token="t", addr=self.listener.addr)
        run_program("import headroom\nheadroom.checkpoint('hi')\nheadroom.flush()\n", self.rt.folder("elsewhere"), self.rt.dir)
        self.assertEqual(self.listener.records(wait_for="hello", timeout=1.0), [])
        self.assertEqual(self.listener.connections, [])

    def test_connect_explicitly_to_an_address(self):
        s, _ = run_program("""
            import json, headroom
            ok = headroom.connect(%r, "explicit")
            headroom.checkpoint("after connect")
            print(json.dumps({"ok": ok, "source": headroom.diagnostics()["source"]}))
        """ % self.listener.addr, self.rt.root, self.rt.dir, extra_env={"HEADROOM": "off"})
        self.assertEqual(s, {"ok": True, "source": "explicit"})
        records = self.listener.records(wait_for="bye")
        self.assertEqual((records[0]["type"], records[0]["token"]), ("hello", "explicit"))
        self.assertIn("after connect", [r.get("label") for r in records])

    def test_connect_with_no_address_looks_now_even_under_headroom_off(self):
        f = self.rt.folder("proj")
        self.rt.window([f], token="found", addr=self.listener.addr)
        s, _ = run_program("""
            import json, headroom
            from headroom import _discovery
            headroom.checkpoint("before")  # off: nothing
            ok = headroom.connect()
            headroom.checkpoint("after")
            print(json.dumps({"ok": ok, "looks": _discovery.looks, "source": headroom.diagnostics()["source"]}))
        """, f, self.rt.dir, extra_env={"HEADROOM": "off"})
        self.assertEqual(s, {"ok": True, "looks": 1, "source": "window"})
        records = self.listener.records(wait_for="bye")
        self.assertEqual(records[0]["token"], "found")
        self.assertEqual([r.get("label") for r in records if r["type"] == "checkpoint"], ["after"])

    def test_connect_replaces_the_client_for_good_forked_children_included(self):
        old = Listener()
        self.addCleanup(old.close)
        run_program("""
            import os, sys, headroom
            headroom.checkpoint("to the old one")
            headroom.flush()
            assert headroom.connect(%r, "new")
            headroom.checkpoint("to the new one")
            headroom.flush()
            pid = os.fork()
            if pid == 0:
                headroom.checkpoint("child")
                sys.exit(0)
            os.waitpid(pid, 0)
        """ % self.listener.addr, self.rt.root, self.rt.dir, extra_env={"HEADROOM_ADDR": old.addr, "HEADROOM_TOKEN": "old"})
        self.listener.records(wait_for="bye")
        old_records = old.records(wait_for="bye")
        self.assertEqual(len(old.connections), 1, old.connections)
        self.assertEqual([r["type"] for r in old_records], ["hello", "checkpoint", "bye"])
        self.assertEqual(old_records[-1]["reason"], "reconnect")
        self.assertEqual(len(self.listener.connections), 2, "the parent and its child, each as itself")
        labels = sorted(r.get("label") for r in self.listener.records() if r["type"] == "checkpoint")
        self.assertEqual(labels, ["child", "to the new one"])

    def test_connect_finds_nothing_or_cannot_connect(self):
        s, _ = run_program("""
            import json, headroom
            print(json.dumps([headroom.connect(), headroom.enabled(), headroom.connect("unix:/nowhere/hr.sock", "t"), headroom.enabled()]))
        """, self.rt.root, self.rt.dir)
        self.assertEqual(s, [False, False, False, True])


class EnvCommand(Base):
    def env_cmd(self, cwd, *args):
        return subprocess.run([sys.executable, "-m", "headroom", "env", *args], cwd=cwd, env=program_env(self.rt.dir), capture_output=True, text=True, timeout=60)

    def test_the_exports_evaluate_to_the_window_even_with_quotes(self):
        f = self.rt.folder("it's a \"proj\"")
        token = "to'k\"en $HOME `id` \\ end"
        python = os.path.join(self.rt.root, "ext's dir", "python")
        self.rt.window([f], token=token, addr="unix:/run/it's/hr.sock", python=python)
        p = self.env_cmd(os.path.join(f))
        self.assertEqual(p.returncode, 0, p.stderr)
        show = 'eval "$1"; printf "%s\\n%s\\n%s\\n" "$HEADROOM_ADDR" "$HEADROOM_TOKEN" "$PYTHONPATH"'
        for before, expected in ((None, python), ("/already/here", python + ":/already/here")):
            env = {"PATH": os.environ["PATH"]}
            if before:
                env["PYTHONPATH"] = before
            out = subprocess.run(["sh", "-c", show, "sh", p.stdout], env=env, capture_output=True, text=True, timeout=30)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(out.stdout.split("\n")[:3], ["unix:/run/it's/hr.sock", token, expected])

    def test_no_window_exits_1_and_says_why(self):
        self.rt.window([self.rt.folder("proj")])
        p = self.env_cmd(self.rt.folder("elsewhere"))
        self.assertEqual((p.returncode, p.stdout), (1, ""))
        self.assertIn("no VS Code window", p.stderr)

    def test_other_shells(self):
        from headroom import _shellenv

        w = {"addr": "pipe:\\\\.\\pipe\\headroom-1", "token": "a'b%c", "python": "C:\\ext's\\python"}
        self.assertEqual(_shellenv.exports(w, "powershell"), [
            "$env:HEADROOM_ADDR = 'pipe:\\\\.\\pipe\\headroom-1'",
            "$env:HEADROOM_TOKEN = 'a''b%c'",
            "$env:PYTHONPATH = 'C:\\ext''s\\python' + $(if ($env:PYTHONPATH) { ';' + $env:PYTHONPATH } else { '' })",
        ])
        cmd = _shellenv.exports(w, "cmd")
        self.assertEqual(cmd[1], 'set "HEADROOM_TOKEN=a\'b%%c"')
        self.assertIn('if defined PYTHONPATH (set "PYTHONPATH=C:\\ext\'s\\python;%PYTHONPATH%")', cmd[2])
        p = self.env_cmd(self.rt.root, "--shell", "fish")
        self.assertEqual(p.returncode, 2)


class Hello(unittest.TestCase):
    def test_the_hello_carries_ranks_and_host(self):
        env = {"RANK": "5", "LOCAL_RANK": "1", "WORLD_SIZE": "8", "LOCAL_WORLD_SIZE": "4"}
        records, _, _ = run_logged("import headroom\nheadroom.checkpoint()\n", env)
        hello = records[0]
        self.assertEqual({k: hello.get(k) for k in ("rank", "local_rank", "world_size", "local_world_size")},
                         {"rank": 5, "local_rank": 1, "world_size": 8, "local_world_size": 4})
        self.assertEqual(hello["host"], socket.gethostname())

    def test_unset_or_unreadable_ranks_are_left_out(self):
        records, _, _ = run_logged("import headroom\nheadroom.checkpoint()\n", {"RANK": "-1", "LOCAL_RANK": "x", "WORLD_SIZE": "", "LOCAL_WORLD_SIZE": "²"})
        for k in ("rank", "local_rank", "world_size", "local_world_size"):
            self.assertNotIn(k, records[0])


if __name__ == "__main__":
    unittest.main()
