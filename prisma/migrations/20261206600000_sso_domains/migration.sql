-- Allowed email domains for single sign-on (lib/auth/sso.ts): a new user whose verified email is at one of an
-- organization's domains joins it with that role at their first OpenID Connect sign-in.

-- CreateTable
CREATE TABLE "sso_domains" (
    "org_id" UUID NOT NULL,
    "domain" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sso_domains_pkey" PRIMARY KEY ("org_id","domain")
);

-- CreateIndex
CREATE INDEX "sso_domains_domain_idx" ON "sso_domains"("domain");

-- AddForeignKey
ALTER TABLE "sso_domains" ADD CONSTRAINT "sso_domains_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Behind the wall: an organization sees only its own domains.
SELECT outlay_protect('sso_domains');

-- cross-org: at a new user's first SSO sign-in no organization is known yet: the organizations (and roles)
-- that allow the email's domain. Whoever signs in with a verified email learns only where they may join.
CREATE OR REPLACE FUNCTION outlay_sso_orgs_for_domain(d text) RETURNS TABLE (org_id uuid, role "Role")
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS E' SELECT s.org_id, s.role FROM sso_domains s WHERE s.domain = lower(d) ORDER BY s.created_at, s.org_id ';

ALTER FUNCTION outlay_sso_orgs_for_domain(text) OWNER TO outlay_system;
REVOKE ALL ON FUNCTION outlay_sso_orgs_for_domain(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION outlay_sso_orgs_for_domain(text) TO outlay_app;
