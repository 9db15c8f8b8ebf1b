"""The scanner core: rules, the keyword prefilter, linear-time regexes and the engine that runs
them (with the Python detectors) over one blob at a time.

It imports nothing above it: not sources, pipeline, reports, commands or hooks (a test walks the
imports). Kept empty so importing one part does not load the others.
"""
