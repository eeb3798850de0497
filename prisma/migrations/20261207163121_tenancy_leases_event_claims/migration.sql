-- Existing users.banned rows stay as they are: they become operator-level (every workspace) bans,
-- the conservative reading of a ban set before bans were scoped to a workspace.

-- AlterTable
ALTER TABLE "generations" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lease_expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "lease_owner" TEXT;

-- CreateTable
CREATE TABLE "workspace_bans" (
    "workspace_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "reason" TEXT,
    "banned_by_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "workspace_bans_pkey" PRIMARY KEY ("workspace_id","user_id")
);

-- CreateTable
CREATE TABLE "chat_event_claims" (
    "key" TEXT NOT NULL,
    "claimed_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chat_event_claims_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "workspace_bans_user_id_idx" ON "workspace_bans"("user_id");

-- CreateIndex
CREATE INDEX "chat_event_claims_created_at_idx" ON "chat_event_claims"("created_at");

-- AddForeignKey
ALTER TABLE "workspace_bans" ADD CONSTRAINT "workspace_bans_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workspace_bans" ADD CONSTRAINT "workspace_bans_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workspace_bans" ADD CONSTRAINT "workspace_bans_banned_by_id_fkey" FOREIGN KEY ("banned_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
