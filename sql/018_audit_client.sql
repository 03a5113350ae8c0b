-- 018: the client's address in each audit row (issue 18): the address the
-- request came from, or the one a trusted proxy (trusted_proxies) or a
-- PROXY protocol header (proxy_protocol_from) names, so that the audit
-- trail names the real client behind a balancer. Rows written before it,
-- and those of the command line, have none (NULL).
ALTER TABLE audit_log ADD COLUMN client text;
