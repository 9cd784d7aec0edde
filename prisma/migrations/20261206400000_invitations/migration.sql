-- Invitations to join an organization (lib/members/invitations.ts): a single-use link, only the token's SHA-256 stored.

-- CreateTable
CREATE TABLE "invitations" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "token_hash" TEXT NOT NULL,
    "invited_by" UUID,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "accepted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invitations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "invitations_token_hash_key" ON "invitations"("token_hash");

-- CreateIndex
CREATE INDEX "invitations_org_id_email_idx" ON "invitations"("org_id", "email");

-- AddForeignKey
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_invited_by_fkey" FOREIGN KEY ("invited_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Behind the wall: an organization sees only its own invitations.
SELECT outlay_protect('invitations');

-- cross-org: the invitation page and its acceptance find an invitation by the sha256 of its token before the
-- organization is known. Whoever holds the token may learn what it invites to, and nothing else.
CREATE OR REPLACE FUNCTION outlay_invitation_by_token(hash text) RETURNS TABLE (id uuid, org_id uuid, email text, role "Role", expires_at timestamptz, accepted_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS E' SELECT i.id, i.org_id, i.email, i.role, i.expires_at, i.accepted_at FROM invitations i WHERE i.token_hash = hash ';

ALTER FUNCTION outlay_invitation_by_token(text) OWNER TO outlay_system;
REVOKE ALL ON FUNCTION outlay_invitation_by_token(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION outlay_invitation_by_token(text) TO outlay_app;
