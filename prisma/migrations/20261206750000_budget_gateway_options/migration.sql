-- Budget options the gateway acts on (issue 18): a per-run cost cap (a fixed amount and/or a multiple of the workflow's p95 cost per run) and a brown-out threshold (percent of the amount past which covered steps fall to their cheapest clearing model)
ALTER TABLE budgets ADD COLUMN run_cap_usd numeric(20,6) NULL;
ALTER TABLE budgets ADD COLUMN run_cap_p95_multiple numeric(8,3) NULL;
ALTER TABLE budgets ADD COLUMN brownout_pct integer NULL
