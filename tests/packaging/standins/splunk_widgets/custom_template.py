"""Stand-in for Splunk SOAR's ``custom_template`` tag library: empty (see the package docstring)."""
from django import template

register = template.Library()
