import json

from . import app


class ActionResult:
    def __init__(self, param=None):
        self.param = dict(param or {})
        self.data = []
        self.summary = {}
        self.status = app.APP_ERROR
        self.message = ""

    def set_status(self, status, message=""):
        self.status, self.message = status, str(message)
        return status

    def get_status(self):
        return self.status

    def get_message(self):
        return self.message

    def add_data(self, item):
        self.data.append(json.loads(json.dumps(item)))

    def get_data(self):
        return self.data

    def update_summary(self, values):
        self.summary.update(values)
        return self.summary

    def get_summary(self):
        return self.summary

    def set_summary(self, values):
        self.summary = dict(values)

    def to_dict(self):
        return {"status": "success" if self.status else "failed", "message": self.message,
                "parameter": self.param, "data": self.data, "summary": self.summary}
