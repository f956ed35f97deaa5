"""The simulated people of bench/load.py (which writes the plan they follow).

Members: log in, then for each page of the questionnaire open it and save it (a few
seconds apart), open the review page and submit; each member follows the plan of its own
association, once. Staff: log in with their code (TOTP, computed from the device's key),
then open the cockpit and the tables and download workbooks until every member is done.
Request names group the figures: "section save" is the one the goal is about.
"""

import itertools
import json
import os
import random
import re

import gevent
from django_otp.oath import totp  # plain RFC 6238, no Django set-up needed
from locust import FastHttpUser, events, task
from locust.exception import StopUser

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115
THINK = float(os.environ.get("LOAD_THINK", "10"))
MEMBERS = iter(PLAN["members"])
STAFF = iter(PLAN["staff"])
DONE = {"members": 0, "staff": 0}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(-?\d+)"')


def think() -> None:
    gevent.sleep(random.uniform(0.5 * THINK, 1.5 * THINK))


def finished(kind: str, environment) -> None:
    DONE[kind] += 1
    if DONE["members"] == len(PLAN["members"]) and DONE["staff"] == len(PLAN["staff"]):
        gevent.spawn_later(1, environment.runner.quit)


class Person(FastHttpUser):
    abstract = True

    def form_page(self, url: str, name: str) -> tuple[str, str]:
        """GET a page with a form: its CSRF token and the version it was built on."""
        with self.client.get(url, name=name, catch_response=True) as response:
            token = CSRF.search(response.text or "")
            if response.status_code != 200 or not token:
                response.failure(f"{response.status_code}, no form")
                raise StopUser
            version = VERSION.search(response.text)
            return token.group(1), version.group(1) if version else ""

    def post(self, url: str, data: dict, name: str, expect: int = 302) -> None:
        with self.client.post(
            url, data=data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code} instead of {expect}")
                raise StopUser

    def log_in(self, email: str, password: str) -> None:
        token, _ = self.form_page("/connexion/", "login page")
        self.post(
            "/connexion/",
            {"csrfmiddlewaretoken": token, "username": email, "password": password},
            "login",
        )


class Member(Person):
    fixed_count = len(PLAN["members"])

    @task
    def answer_and_submit(self):
        plan = next(MEMBERS, None)
        if plan is None:
            raise StopUser
        try:
            self.log_in(plan["email"], plan["password"])
            think()
            for page in plan["pages"]:
                url = plan["section"].format(slug=page["slug"]) + "?toutes=1"
                token, version = self.form_page(url, "section page")
                think()
                data = {**page["fields"], "csrfmiddlewaretoken": token, "version": version}
                self.post(url, data, "section save")
            token, version = self.form_page(plan["review"], "review page")
            think()
            data = {"csrfmiddlewaretoken": token, "version": version, "submit": ""}
            self.post(plan["review"], data, "submit")
        finally:
            finished("members", self.environment)
        raise StopUser


class Staff(Person):
    fixed_count = len(PLAN["staff"])

    @task
    def follow_the_campaign(self):
        plan = next(STAFF, None)
        if plan is None:
            raise StopUser
        try:
            self.log_in(plan["email"], plan["password"])
            if plan["totp_key"]:
                url = "/compte/double-authentification/"
                token, _ = self.form_page(url, "2FA page")
                code = totp(bytes.fromhex(plan["totp_key"]))
                data = {"csrfmiddlewaretoken": token, "token": f"{code:06d}"}
                self.post(url, data, "2FA code")
            while DONE["members"] < len(PLAN["members"]):
                for url, name in itertools.chain(
                    [(PLAN["cockpit"], "cockpit"), (PLAN["tables"], "tables page")],
                    ((url, "download " + url.rsplit("/", 1)[1]) for url in PLAN["downloads"]),
                ):
                    with self.client.get(url, name=name, catch_response=True) as response:
                        if response.status_code != 200:
                            response.failure(f"{response.status_code}")
                    gevent.sleep(random.uniform(5, 15))
        finally:
            finished("staff", self.environment)
        raise StopUser


@events.quitting.add_listener
def _exit_status(environment, **_kwargs):
    environment.process_exit_code = 1 if environment.stats.total.fail_ratio > 0 else 0
