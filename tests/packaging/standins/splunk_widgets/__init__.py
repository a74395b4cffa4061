"""Stand-ins for what Splunk SOAR's web process gives a custom view's Django template.

The real platform renders an app's view template with Django (autoescaping on), with its own
``widgets/widget_template.html`` to extend (a widget frame with the blocks ``custom_title_prop``, ``title1``,
``title2``, ``custom_tools`` and ``widget_content``, as published connectors' templates fill them) and a tag
library loaded as ``{% load custom_template %}``. We copy neither: the frame here has the same blocks and
nothing else, and the library is empty (our templates use only Django's built-in tags and filters).
"""
