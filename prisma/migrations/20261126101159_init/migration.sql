-- CreateEnum
CREATE TYPE "platform" AS ENUM ('discord', 'slack');

-- CreateEnum
CREATE TYPE "user_role" AS ENUM ('user', 'moderator', 'admin');

-- CreateEnum
CREATE TYPE "generation_kind" AS ENUM ('imagine', 'reroll', 'variation', 'upscale');

-- CreateEnum
CREATE TYPE "generation_status" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "moderation_action_kind" AS ENUM ('ban', 'unban', 'delete', 'block_term', 'unblock_term', 'cancel', 'set_role', 'update_workspace_settings');

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "platform" "platform" NOT NULL,
    "external_id" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "role" "user_role" NOT NULL DEFAULT 'user',
    "banned" BOOLEAN NOT NULL DEFAULT false,
    "banned_reason" TEXT,
    "banned_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workspaces" (
    "id" TEXT NOT NULL,
    "platform" "platform" NOT NULL,
    "external_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "workspaces_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "generations" (
    "id" TEXT NOT NULL,
    "queue_order" BIGSERIAL NOT NULL,
    "user_id" TEXT NOT NULL,
    "workspace_id" TEXT,
    "channel_id" TEXT NOT NULL,
    "kind" "generation_kind" NOT NULL,
    "parent_id" TEXT,
    "parent_image_index" INTEGER,
    "prompt" TEXT NOT NULL,
    "negative_prompt" TEXT NOT NULL,
    "seed" BIGINT NOT NULL,
    "steps" INTEGER NOT NULL,
    "guidance" DOUBLE PRECISION NOT NULL,
    "scheduler" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "model" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "strength" DOUBLE PRECISION,
    "status" "generation_status" NOT NULL DEFAULT 'queued',
    "error_code" TEXT,
    "error_message" TEXT,
    "queued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "gpu_ms" INTEGER,
    "message_id" TEXT,
    "interaction_token" TEXT,
    "thread_ts" TEXT,

    CONSTRAINT "generations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "images" (
    "id" TEXT NOT NULL,
    "generation_id" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "file_key" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL,
    "nsfw" BOOLEAN,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),
    "deleted_by_id" TEXT,

    CONSTRAINT "images_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "moderation_actions" (
    "id" SERIAL NOT NULL,
    "actor_id" TEXT NOT NULL,
    "action" "moderation_action_kind" NOT NULL,
    "workspace_id" TEXT,
    "target_user_id" TEXT,
    "target_generation_id" TEXT,
    "reason" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "moderation_actions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "blocked_terms" (
    "id" TEXT NOT NULL,
    "workspace_id" TEXT,
    "term" TEXT NOT NULL,
    "normalized_term" TEXT NOT NULL,
    "created_by_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "blocked_terms_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_settings" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "negative_prompt" TEXT,
    "aspect" TEXT,
    "steps" INTEGER,
    "guidance" DOUBLE PRECISION,
    "model" TEXT,
    "scheduler" TEXT,
    "count" INTEGER,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "user_settings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_platform_external_id_key" ON "users"("platform", "external_id");

-- CreateIndex
CREATE UNIQUE INDEX "workspaces_platform_external_id_key" ON "workspaces"("platform", "external_id");

-- CreateIndex
CREATE INDEX "generations_user_id_queued_at_id_idx" ON "generations"("user_id", "queued_at" DESC, "id");

-- CreateIndex
CREATE INDEX "generations_workspace_id_queued_at_id_idx" ON "generations"("workspace_id", "queued_at" DESC, "id");

-- CreateIndex
CREATE INDEX "generations_channel_id_queued_at_id_idx" ON "generations"("channel_id", "queued_at" DESC, "id");

-- CreateIndex
CREATE INDEX "generations_status_queued_at_idx" ON "generations"("status", "queued_at");

-- CreateIndex
CREATE INDEX "generations_parent_id_idx" ON "generations"("parent_id");

-- CreateIndex
CREATE UNIQUE INDEX "generations_queue_order_key" ON "generations"("queue_order");

-- CreateIndex
CREATE UNIQUE INDEX "images_generation_id_index_key" ON "images"("generation_id", "index");

-- CreateIndex
CREATE INDEX "moderation_actions_workspace_id_created_at_idx" ON "moderation_actions"("workspace_id", "created_at");

-- CreateIndex
CREATE INDEX "moderation_actions_target_user_id_created_at_idx" ON "moderation_actions"("target_user_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "blocked_terms_workspace_id_normalized_term_key" ON "blocked_terms"("workspace_id", "normalized_term");

-- CreateIndex
CREATE UNIQUE INDEX "blocked_terms_global_normalized_term_key" ON "blocked_terms"("normalized_term") WHERE (workspace_id IS NULL);

-- CreateIndex
CREATE UNIQUE INDEX "user_settings_user_id_key" ON "user_settings"("user_id");

-- AddForeignKey
ALTER TABLE "generations" ADD CONSTRAINT "generations_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "generations" ADD CONSTRAINT "generations_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "generations" ADD CONSTRAINT "generations_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "generations"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "images" ADD CONSTRAINT "images_generation_id_fkey" FOREIGN KEY ("generation_id") REFERENCES "generations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "images" ADD CONSTRAINT "images_deleted_by_id_fkey" FOREIGN KEY ("deleted_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "moderation_actions" ADD CONSTRAINT "moderation_actions_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "moderation_actions" ADD CONSTRAINT "moderation_actions_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "moderation_actions" ADD CONSTRAINT "moderation_actions_target_user_id_fkey" FOREIGN KEY ("target_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "moderation_actions" ADD CONSTRAINT "moderation_actions_target_generation_id_fkey" FOREIGN KEY ("target_generation_id") REFERENCES "generations"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "blocked_terms" ADD CONSTRAINT "blocked_terms_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "blocked_terms" ADD CONSTRAINT "blocked_terms_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_settings" ADD CONSTRAINT "user_settings_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
