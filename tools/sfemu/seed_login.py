#!/usr/bin/env python3
"""Prints the OAuth password-flow login of an emulator seed, for scripts:
    client_id client_secret username password+security_token
from the seed's connected app and its first integration user (docs/emulator-seed.md).
Usage: seed_login.py SEED_JSON"""
import json
import sys

seed = json.load(open(sys.argv[1]))
app = seed["connectedApp"]
user = next(u for u in seed["users"] if u.get("IntegrationUser"))
print(app["ConsumerKey"], app["ConsumerSecret"], user["Username"], user["Password"] + user["SecurityToken"])
