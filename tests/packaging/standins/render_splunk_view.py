"""Renders a Splunk SOAR app's custom view as the platform's web process does: call the view module's
``display_view(provides, all_app_runs, context)`` with the action results, then render the template it
names with Django (autoescaping on, as Django's default), from the app folder, with the stand-in widget frame.
Usage: render_splunk_view.py APP_FOLDER VIEW_MODULE ACTION ANSWERS.json OUT.json
(ANSWERS: action results as the stand-in ActionResult.to_dict writes them).
"""
import importlib
import json
import os
import sys

import django
from django.conf import settings


class Result:
    """What a view handler reads of an ActionResult."""

    def __init__(self, answer):
        self.answer = answer

    def get_param(self):
        return self.answer.get("parameter") or {}

    def get_data(self):
        return self.answer.get("data") or []

    def get_summary(self):
        return self.answer.get("summary") or {}

    def get_message(self):
        return self.answer.get("message") or ""


def main(app_folder, view_module, action, answers_path, out_path):
    widgets = os.path.join(os.path.dirname(os.path.abspath(__file__)), "splunk_widgets")
    settings.configure(TEMPLATES=[{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [app_folder, os.path.join(widgets, "templates")],
        "OPTIONS": {"libraries": {"custom_template": "splunk_widgets.custom_template"}},
    }])
    django.setup()
    from django.template.loader import render_to_string

    sys.path.insert(0, app_folder)
    module = importlib.import_module(view_module)
    with open(answers_path, encoding="utf-8") as handle:
        answers = json.load(handle)
    context = {"title1": action, "title2": "soarpacks"}
    template = module.display_view(action, [({}, [Result(a) for a in answers])], context)
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump({"template": template, "html": render_to_string(template, context)}, handle)


if __name__ == "__main__":
    main(*sys.argv[1:])
