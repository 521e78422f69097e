#!/usr/bin/env python3
"""A whole session through the C ABI from Python (ctypes), as a non-C++ host would drive it:
load and negotiate, create, connect (OAuth password flow), test the connection, discover, read
the schema, load the example rules, sync, send events and check what fired and which actions
came back, enrich a contact, use several threads at once, and destroy. Against the Salesforce
emulator over TLS on loopback, started and stopped by the CTest fixture.

usage: plugin_session_test.py LIB URL_FILE CA_FILE SOURCE_DIR WORK_DIR
Credentials come from CF_TEST_SF_* (the configuration names them as {"env": ...}), the vault
key from CF_VAULT_KEY.
"""
import ctypes
import json
import os
import shutil
import ssl
import sys
import threading
import time
import urllib.parse
import urllib.request

OK, UNKNOWN_INSTANCE, BAD_EVENT, VERSION_MISMATCH, NOT_FOUND = 0, 3, 10, 2, 13
EXPLAIN = 1

c_char_pp = ctypes.POINTER(ctypes.c_void_p)  # char**: read as void* so that we free it ourselves
Instance = ctypes.c_void_p
Status = ctypes.c_int


def fn(*args):
    return ctypes.CFUNCTYPE(Status, *args)


class Api(ctypes.Structure):
    """cf_sf_api, in the header's order."""
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("abi_version", ctypes.c_uint32),
        ("plugin_name", ctypes.c_char_p),
        ("plugin_version", ctypes.c_char_p),
        ("free_string", ctypes.CFUNCTYPE(None, ctypes.c_void_p)),
        ("create", fn(ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(Instance), c_char_pp)),
        ("destroy", fn(Instance, c_char_pp)),
        ("connect", fn(Instance, ctypes.c_char_p, ctypes.c_size_t, c_char_pp, c_char_pp)),
        ("test_connection", fn(Instance, c_char_pp, c_char_pp)),
        ("status", fn(Instance, c_char_pp, c_char_pp)),
        ("discover", fn(Instance, ctypes.c_char_p, ctypes.c_size_t, c_char_pp, c_char_pp)),
        ("get_schema", fn(Instance, ctypes.c_char_p, ctypes.c_size_t, c_char_pp, c_char_pp)),
        ("sync_start", fn(Instance, ctypes.c_char_p, ctypes.c_size_t, c_char_pp)),
        ("sync_stop", fn(Instance, c_char_pp)),
        ("sync_wait", fn(Instance, ctypes.c_uint32, c_char_pp, c_char_pp)),
        ("sync_progress", fn(Instance, c_char_pp, c_char_pp)),
        ("load_rules", fn(Instance, ctypes.c_char_p, ctypes.c_size_t, c_char_pp, c_char_pp)),
        ("send_event", fn(Instance, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint32, c_char_pp, c_char_pp)),
        ("enrich_contact", fn(Instance, ctypes.c_char_p, ctypes.c_size_t, c_char_pp, c_char_pp)),
        ("set_callbacks", fn(Instance, ctypes.c_void_p, c_char_pp)),
        ("poll_outcomes", fn(Instance, ctypes.c_uint32, c_char_pp, c_char_pp)),
    ]


class HostInfo(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("min_abi_version", ctypes.c_uint32),
        ("max_abi_version", ctypes.c_uint32),
        ("host_name", ctypes.c_char_p),
    ]


class PluginError(Exception):
    def __init__(self, status, message, data):
        super().__init__(f"status {status}: {message}")
        self.status, self.message, self.data = status, message, data


class Plugin:
    """A thin Python host: every call returns parsed JSON or raises PluginError."""

    def __init__(self, path):
        self.lib = ctypes.CDLL(path, mode=os.RTLD_LOCAL)
        entry = self.lib.cf_salesforce_plugin_entry
        entry.restype = Status
        entry.argtypes = [ctypes.POINTER(HostInfo), ctypes.POINTER(ctypes.POINTER(Api)),
                          ctypes.c_char_p, ctypes.c_size_t]
        self.entry = entry
        api = ctypes.POINTER(Api)()
        buf = ctypes.create_string_buffer(256)
        host = HostInfo(ctypes.sizeof(HostInfo), 1, 1, b"python-test")
        status = entry(ctypes.byref(host), ctypes.byref(api), buf, len(buf))
        if status != OK:
            raise PluginError(status, buf.value.decode(), None)
        self.api = api.contents

    def negotiate(self, lo, hi):
        api = ctypes.POINTER(Api)()
        buf = ctypes.create_string_buffer(256)
        host = HostInfo(ctypes.sizeof(HostInfo), lo, hi, None)
        return self.entry(ctypes.byref(host), ctypes.byref(api), buf, len(buf)), buf.value.decode()

    def take(self, ptr):
        """Copies a plugin string and frees it with the plugin's free_string."""
        if not ptr.value:
            return None
        text = ctypes.string_at(ptr.value).decode("utf-8")
        self.api.free_string(ptr.value)
        return text

    def call(self, name, *args, want_json=True):
        out, err = ctypes.c_void_p(), ctypes.c_void_p()
        extra = [ctypes.byref(out)] if want_json else []
        status = getattr(self.api, name)(*args, *extra, ctypes.byref(err))
        text, message = self.take(out), self.take(err)
        data = json.loads(text) if text else None
        if status != OK:
            raise PluginError(status, message, data)
        return data

    def create(self, config):
        text = json.dumps(config).encode()
        handle, err = Instance(), ctypes.c_void_p()
        status = self.api.create(text, len(text), ctypes.byref(handle), ctypes.byref(err))
        message = self.take(err)
        if status != OK:
            raise PluginError(status, message, None)
        return handle

    @staticmethod
    def arg(value):
        if value is None:
            return None, 0
        text = json.dumps(value).encode() if not isinstance(value, bytes) else value
        return text, len(text)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def main():
    lib, url_file, ca_file, source, work = sys.argv[1:6]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    with open(url_file) as f:
        url = f.read().strip()

    p = Plugin(lib)
    check(p.api.plugin_name == b"connectflo-salesforce", p.api.plugin_name)
    check(p.api.abi_version == 1, p.api.abi_version)
    status, message = p.negotiate(5, 9)
    check(status == VERSION_MISMATCH and "1..1" in message, message)

    config = {
        "name": "python-org",
        "instance_url": url,
        "ca_file": ca_file,
        "state_dir": os.path.join(work, "state"),
        "rule_folder": os.path.join(source, "examples", "rules"),
        "api_budget": {"share": 1.0},
        "credentials": {
            "method": "password",
            "client_id": os.environ["CF_TEST_SF_CLIENT_ID"],
            "client_secret": {"env": "CF_TEST_SF_CLIENT_SECRET"},
            "username": os.environ["CF_TEST_SF_USERNAME"],
            "password": {"env": "CF_TEST_SF_PASSWORD"},
        },
        "testing": {"allow_loopback": True},
    }
    inst = p.create(config)

    status = p.call("connect", inst, *Plugin.arg(None))
    check(status["connection"]["state"] == "connected", status)
    report = p.call("test_connection", inst)
    check(report["org_id"].startswith("00D") and report["username"] == os.environ["CF_TEST_SF_USERNAME"], report)
    check(report["api_usage"]["max"] > 0, report)

    discovered = p.call("discover", inst, *Plugin.arg({"validation_rules": False}))
    check(discovered["objects"] >= 7, discovered)
    schema = p.call("get_schema", inst, *Plugin.arg(None))
    names = {o["name"] for o in schema["objects"]}
    check({"Account", "Contact", "Lead", "Opportunity", "Case", "Task"} <= names, names)
    account = next(o for o in schema["objects"] if o["name"] == "Account")
    tier = next(f for f in account["fields"] if f["name"] == "Tier__c")
    check(tier["custom"] and tier["type"] == "picklist", tier)
    check([v["value"] for v in tier["picklist_values"]] == ["Platinum", "Gold", "Silver", "Bronze"], tier)

    loaded = p.call("load_rules", inst, *Plugin.arg(None))
    check(loaded["ok"] and loaded["rules"] >= 10, loaded)

    p.call("sync_start", inst, *Plugin.arg({"full": True}), want_json=False)
    progress = p.call("sync_wait", inst, 120000)
    check(progress["state"] == "succeeded", progress)
    synced = {o["object"]: o for o in progress["objects"]}
    check(synced["Contact"]["upserts"] == 15 and synced["Account"]["upserts"] == 10, synced)

    status = p.call("status", inst)
    check(status["schema"]["cached_records"]["Lead"] >= 8, status)  # the C session may have added some
    check(status["api"]["requests_sent"] > 0, status)

    # The product guide's Account insights workflow.
    event = {"type": "conversation.created", "id": "py-1",
             "conversation": {"id": "c-1", "channel": "email",
                              "customer": {"email": "james.whitaker@brightwater.example"}}}
    result = p.call("send_event", inst, *Plugin.arg(event), 0)
    fired = [f["rule"] for f in result["fired"]]
    check("Account insights" in fired, fired)
    routes = [a for a in result["actions"] if a["kind"] == "route_to_team"]
    check(routes and routes[0]["arguments"] == ["Enterprise Support"], result["actions"])
    ids = [a["action_id"] for a in result["actions"]]
    check(len(set(ids)) == len(ids), ids)
    # Every action is queued in the durable outbox; ids are its keys.
    for a in result["actions"]:
        check(a["dispatch"] == "queued" and a["action_id"].startswith("cf-"), a)
    # No callback registered: the host polls; the routing arrives, then its outcome.
    route_id = routes[0]["action_id"]
    seen_actions, seen_outcomes = {}, {}
    for _ in range(200):
        polled = p.call("poll_outcomes", inst, 100)
        seen_actions.update({h["action_id"]: h for h in polled["host_actions"]})
        seen_outcomes.update({o["action_id"]: o for o in polled["outcomes"]})
        if route_id in seen_actions and route_id in seen_outcomes:
            break
        time.sleep(0.05)
    check(seen_actions.get(route_id, {}).get("arguments") == ["Enterprise Support"], seen_actions)
    check(seen_outcomes.get(route_id, {}).get("status") == "succeeded", seen_outcomes)
    check(result["bound"]["Account"]["id"] == "001Dn0000x8sM3iIAE", result["bound"])

    # A small account: no routing; the explanation says why.
    event = {"type": "conversation.created",
             "conversation": {"customer": {"email": "lucia.navarro@helios.example"}}}
    result = p.call("send_event", inst, *Plugin.arg(event), EXPLAIN)
    check("Account insights" not in [f["rule"] for f in result["fired"]], result["fired"])
    insight = next(e for e in result["explanations"] if e["rule"] == "Account insights")
    check(insight["outcome"] != "fired" and insight["condition"] == "NULL", insight)  # Helios: no revenue
    check("Account.AnnualRevenue" in result["report"], result["report"])

    try:
        p.call("send_event", inst, *Plugin.arg({"type": "conversation.created", "conversation": []}), 0)
        check(False, "a bad event was accepted")
    except PluginError as e:
        check(e.status == BAD_EVENT and "conversation" in e.message, e.message)

    enriched = p.call("enrich_contact", inst, *Plugin.arg({"phone": "+1 860 555 0110"}))
    check(enriched["match"] == "contact" and enriched["Contact"]["Email"] == "james.whitaker@brightwater.example",
          enriched)
    check(enriched["Account"]["Name"] == "Brightwater Insurance", enriched)
    try:
        p.call("enrich_contact", inst, *Plugin.arg({"email": "nobody@nowhere.example"}))
        check(False, "nobody matched")
    except PluginError as e:
        check(e.status == NOT_FOUND and e.data == {"match": None}, (e.status, e.data))

    # Several host threads at once, while the rules reload: every event gets a full answer.
    errors = []

    def worker(n):
        try:
            for i in range(25):
                ev = {"type": "conversation.created", "id": f"t{n}-{i}",
                      "conversation": {"customer": {"email": "olivia.hart@kestrel.example"}}}
                r = p.call("send_event", inst, *Plugin.arg(ev), 0)
                if r["event_id"] != f"t{n}-{i}" or "Account insights" not in [f["rule"] for f in r["fired"]]:
                    errors.append(r)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for _ in range(5):
        p.call("load_rules", inst, *Plugin.arg(None))
    for t in threads:
        t.join(timeout=120)
    check(not any(t.is_alive() for t in threads), "a thread hung")
    check(not errors, errors[:3])

    status = p.call("status", inst)
    check(status["outbox"]["dead"] == 0, status["outbox"])

    # The product guide's main path: an access token pasted by the admin. Got here with the
    # OAuth password grant from the org itself; a second instance in the same process.
    form = urllib.parse.urlencode({
        "grant_type": "password", "client_id": os.environ["CF_TEST_SF_CLIENT_ID"],
        "client_secret": os.environ["CF_TEST_SF_CLIENT_SECRET"],
        "username": os.environ["CF_TEST_SF_USERNAME"], "password": os.environ["CF_TEST_SF_PASSWORD"]}).encode()
    tls = ssl.create_default_context(cafile=ca_file)
    with urllib.request.urlopen(url + "/services/oauth2/token", data=form, context=tls, timeout=30) as answer:
        token = json.load(answer)["access_token"]
    other = p.create({"name": "token-org", "state_dir": os.path.join(work, "state-token"),
                      "ca_file": ca_file, "testing": {"allow_loopback": True}})
    status = p.call("connect", other, *Plugin.arg({"method": "access_token", "instance_url": url,
                                                  "access_token": token}))
    check(status["connection"]["state"] == "connected" and token not in json.dumps(status), status)
    check(p.call("test_connection", other)["org_id"].startswith("00D"), "token connection")
    try:
        p.call("connect", other, *Plugin.arg({"method": "access_token", "instance_url": url,
                                             "access_token": "00Dnot-a-token"}))
        p.call("test_connection", other)
        check(False, "a bad token was accepted")
    except PluginError as e:
        check(e.status in (6, 8) and "00Dnot-a-token" not in e.message, e.message)
    check(p.api.destroy(other, None) == OK, "destroy token-org")

    err = ctypes.c_void_p()
    check(p.api.destroy(inst, ctypes.byref(err)) == OK, p.take(err))
    try:
        p.call("status", inst)
        check(False, "a destroyed instance answered")
    except PluginError as e:
        check(e.status == UNKNOWN_INSTANCE, e)
    print("python plugin session: all checks passed")


if __name__ == "__main__":
    main()
