"""A stand-in for Splunk SOAR's ``phantom`` package: the parts a BaseConnector app uses, with the
platform's own containers and asset state kept in a JSON file so that separate runs see each other."""
