"""Reports for people, read from the repository: the coordinator's compliance report (`compliance`), the
registry-vs-crawl diff (`registry_diff`, `diff_report`) and the link-registry export (`registry_export`).

Entry points for other parts of sdg-tags are in `reports.api`. Imports go repository/validators/taxonomy ->
reports, never crawler or Scrapy.
"""
