-- CreateEnum
CREATE TYPE "edit_kind" AS ENUM ('zoom', 'pan', 'region', 'remix');

-- AlterEnum
ALTER TYPE "generation_kind" ADD VALUE 'edit';

-- AlterTable
ALTER TABLE "generations" ADD COLUMN     "edit_cells" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
ADD COLUMN     "edit_direction" TEXT,
ADD COLUMN     "edit_factor" DOUBLE PRECISION,
ADD COLUMN     "edit_kind" "edit_kind",
ADD COLUMN     "mask_key" TEXT;
