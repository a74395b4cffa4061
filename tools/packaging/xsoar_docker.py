"""The docker image of the XSOAR integrations, and the pack README's record of why it was chosen (issue 16
point 6)."""
from __future__ import annotations

# XSOAR's standard integration image (demisto/xsoar-tools is the content team's tooling image, not an
# integration runtime). This tag is one published content uses (demisto/content: Packs/HelloWorld/
# ReleaseNotes/4_0_18.md updates HelloWorldScript to it); demisto/dockerfiles-info's page for it lists
# Python 3.12.14, requests 2.34 and PyYAML 6.0, and no jsonschema, which the runtime uses only when present. Override with --xsoar-docker-image (see tools/packaging/README.md).
DEFAULT_DOCKER_IMAGE = "demisto/python3:3.12.14.13053055"
DOCKER_IMAGE_NOTE = """
## Docker image

The integration runs in `{image}`. {why}
"""
DEFAULT_IMAGE_WHY = (
    "It is Cortex XSOAR's standard Python integration image (Python 3.12, maintained by Palo Alto Networks, "
    "the tag published Demisto packs use), and its documented packages include everything the integration "
    "needs: requests and PyYAML. jsonschema is not needed at run time (arguments are checked without it, and "
    "the embedded manifests were validated when the pack was built); `demisto/xsoar-tools`, used before, is "
    "the content team's tooling image, not an integration runtime.")
CUSTOM_IMAGE_WHY = ("It was chosen when the pack was built (`--xsoar-docker-image`); it needs Python 3.9 or later "
                    "with requests and PyYAML.")


def docker_note(image: str) -> str:
    """The pack README's record of the docker image and why it was chosen."""
    return DOCKER_IMAGE_NOTE.format(image=image, why=DEFAULT_IMAGE_WHY if image == DEFAULT_DOCKER_IMAGE
                                    else CUSTOM_IMAGE_WHY)
