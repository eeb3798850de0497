/**
 * The generation service: between the chat adapters and the engine. It decides whether a
 * request may run (ban, options, limits, blocked terms, quota, queue caps), records it as a row,
 * queues it fairly, and tells the adapter what happens through {@link GenerationEvents}.
 * Reroll / vary / upscale read everything from the parent row. At start-up, jobs a previous
 * process left queued or running are queued again in their original order.
 */
import type { Logger } from 'pino';
import type { EditSpec, Generation, GenerationWithImages, UserSettings } from '../../db/domain.types.ts';
import type { Repositories } from '../../db/repositories.ts';
import type { ImageStore } from '../../storage/image.store.ts';
import { StorageUnavailableError } from '../../storage/image.store.ts';
import type { ImageEngine } from '../engine.types.ts';
import type { GenerationQueue, QueuePosition } from '../queue/generation-queue.ts';
import { QuotaPolicy, type AcceptedJobCounter, type QuotaSettings } from '../queue/quota.policy.ts';
import { rerollOf, upscaleOf, variationOf, type JobParameters, type VariationStrength } from '../requests/derived-jobs.ts';
import type { LimitsConfig } from '../../config/config.types.ts';
import type { ImagineOptions, OptionText } from '../requests/imagine-options.ts';
import { updateSettings, type SettingName } from '../requests/settings-update.ts';
import { resolveImagineParameters } from '../requests/imagine-parameters.ts';
import { JobAdmission } from './job-admission.ts';
import { JobRegistry } from './job-registry.ts';
import { ownerOf } from '../requests/who.ts';
import { JobRunner } from './job-runner.ts';
import { jobCost } from './job-cost.ts';
import type { ModelDirectory } from '../requests/model-directory.ts';
import { JobCancellation, type CancelOutcome } from './job-cancellation.ts';
import { prepareDelivery, readStoredImages, type NsfwMode } from './nsfw-delivery.ts';
import { refuse, type Refusable, type Refusal } from '../requests/refusal.ts';
import type { PolicyCache } from '../requests/policy-cache.ts';
import { RequestPolicies } from '../requests/request-policies.ts';
import { PositionAnnouncer } from './position-announcer.ts';
import { SafeEvents } from './safe-events.ts';
import { ImageRemoval } from '../moderation/image-removal.ts';
import { EventClaims } from './event-claims.ts';
import { defaultJobLease, type JobLeaseSettings } from './job-lease.ts';
import { recoverAbandonedJobs } from './job-recovery.ts';
import { editModelFor, editOf, editProblem } from './edit-jobs.ts';
import { modelAllowed } from '../requests/generation-limits.ts';
import type { ChatLocation, JobOwner, Requester, RequestFrom } from '../requests/request.types.ts';
import type { Delivery, DerivedOutcome, GenerationEvents, ImagineOutcome } from './job.types.ts';
import { safeImagineOptions, safeOptionValues, safeOptionalText } from '../requests/text-safety.ts';
import { WhoResolver, isModerator, scopeOf } from '../requests/who.ts';

/** Policy settings, from the config's queue / limits / moderation / engine sections. */
export interface GenerationPolicy {
  limits: LimitsConfig;
  quotas: QuotaSettings;
  /** Always-blocked terms (the database adds per-workspace and global ones). */
  blockedTerms: readonly string[];
  nsfw: NsfwMode;
  previews: boolean;
  /** Images per job when neither the request nor /settings say. */
  defaultCount: number;
  /** Least time between two progress events of one job (1500 ms). */
  progressIntervalMs: number;
}

export interface GenerationServiceOptions {
  repositories: Pick<Repositories, 'users' | 'workspaces' | 'workspaceBans' | 'generations' | 'images' | 'moderation' | 'blockedTerms' | 'userSettings' | 'jobLeases' | 'chatEvents'>;
  /** Counts accepted jobs for quotas (the usage repository). */
  counter: AcceptedJobCounter;
  /** Shared with the ModerationService, so its changes are seen here at once. */
  cache: PolicyCache;
  queue: GenerationQueue;
  engine: ImageEngine;
  store: ImageStore;
  models: ModelDirectory;
  events: GenerationEvents;
  policy: GenerationPolicy;
  /** Epoch milliseconds. */
  now: () => number;
  /** Uniform in [0, 1): seeds. */
  random: () => number;
  logger: Logger;
  /**
   * This process's owner id and lease durations for the jobs it runs; by default a fresh id
   * and {@link defaultJobLease}'s durations. Tests pass their own to act as two processes.
   */
  lease?: JobLeaseSettings;
}

export type { CancelOutcome } from './job-cancellation.ts';
/** Result of show. */
export type ShowOutcome = ({ ok: true; generation: GenerationWithImages; owner: JobOwner } & Delivery) | Refusal;

export class GenerationService {
  readonly #registry: JobRegistry;
  readonly #events: SafeEvents;
  readonly #who: WhoResolver;
  readonly #admission: JobAdmission;
  readonly #runner: JobRunner;
  readonly #removal: ImageRemoval;
  readonly #policies: RequestPolicies;
  readonly #cancellation: JobCancellation;
  readonly #positions: PositionAnnouncer;
  readonly #eventClaims: EventClaims;
  readonly #lease: JobLeaseSettings;
  /** Takes over jobs of processes that died while this one runs (see {@link GenerationService.start}). */
  #sweeper: NodeJS.Timeout | undefined;
  readonly #log: Logger;

  constructor(private readonly options: GenerationServiceOptions) {
    const { repositories, policy, logger } = options;
    this.#log = logger;
    this.#registry = new JobRegistry(repositories.users);
    this.#events = new SafeEvents(options.events, logger);
    this.#who = new WhoResolver({ users: repositories.users, workspaces: repositories.workspaces, workspaceBans: repositories.workspaceBans, limits: policy.limits, cache: options.cache });
    this.#positions = new PositionAnnouncer({ queue: options.queue, registry: this.#registry, events: this.#events, logger });
    this.#admission = new JobAdmission({
      generations: repositories.generations,
      queue: options.queue,
      quotas: new QuotaPolicy(policy.quotas, options.counter, options.now),
      registry: this.#registry,
      events: this.#events,
      positions: this.#positions,
      logger,
    });
    const lease = (this.#lease = options.lease ?? defaultJobLease());
    this.#eventClaims = new EventClaims({ claims: repositories.chatEvents, owner: lease.owner, now: options.now, logger });
    this.#runner = new JobRunner({
      generations: repositories.generations,
      leases: repositories.jobLeases,
      lease,
      engine: options.engine,
      store: options.store,
      queue: options.queue,
      events: this.#events,
      models: options.models,
      registry: this.#registry,
      nsfwMode: policy.nsfw,
      previews: policy.previews,
      progressIntervalMs: policy.progressIntervalMs,
      now: options.now,
      logger,
    });
    this.#removal = new ImageRemoval({ repositories, store: options.store, logger });
    this.#cancellation = new JobCancellation({ repositories, queue: options.queue, registry: this.#registry, events: this.#events, logger });
    this.#policies = new RequestPolicies({ repositories, cache: options.cache, models: options.models, configTerms: policy.blockedTerms });
  }

  /**
   * Re-queues what a previous process left, then starts running jobs: `running` rows whose
   * process is gone (lease expired, or a dead process of this host) go back to `queued`, or
   * fail as `crash_loop` when they were running each time their process died; then every
   * queued row is queued here in acceptance order. A job another live process is running is
   * left to it. Call once, before taking requests. Returns how many jobs were re-queued.
   * While running, it checks once per lease period for running jobs of processes that died
   * since (their lease expired) and takes them over the same way.
   */
  async start(): Promise<number> {
    const interrupted = await this.#recoverAbandoned();
    const unfinished = (await this.options.repositories.generations.listUnfinished()).filter((generation) => generation.status === 'queued');
    let requeued = 0;
    for (const generation of unfinished) if (await this.#requeueLeftover(generation)) requeued++;
    await this.options.queue.start(this.#runner.run);
    this.#log.info({ requeued, interrupted: interrupted.requeued.length, crashLooped: interrupted.failed.length }, 'service.recovered');
    this.#sweeper = setInterval(() => void this.#sweep(), this.#lease.durationMs);
    this.#sweeper.unref();
    return requeued;
  }

  /** Stops taking jobs; see {@link GenerationQueue.stop}. */
  stop(deadline: AbortSignal): Promise<void> {
    clearInterval(this.#sweeper);
    return this.options.queue.stop(deadline);
  }

  #recoverAbandoned() {
    const { generations, users, jobLeases } = this.options.repositories;
    return recoverAbandonedJobs({ leases: jobLeases, self: this.#lease.owner, generations, users, events: this.#events, logger: this.#log });
  }

  /** Queues a job a previous or dead process left; false when this process already has it. */
  async #requeueLeftover(generation: Generation): Promise<boolean> {
    // Accepted by this process before start() (already in the queue): not a leftover.
    if (this.#registry.get(generation.id) !== undefined) return false;
    const owner = await ownerOf(this.options.repositories.users, generation.userId);
    this.#registry.set(generation.id, { owner, nsfwAllowed: false, warnings: [], started: false });
    const position = await this.options.queue.requeue({ id: generation.id, userId: generation.userId, cost: jobCost(generation) });
    this.#events.emit('queued', { generation, owner, position, recovered: true });
    this.#positions.track(generation, owner, position);
    return true;
  }

  /** Takes over running jobs whose process died while this one runs. */
  async #sweep(): Promise<void> {
    try {
      const recovered = await this.#recoverAbandoned();
      for (const id of recovered.requeued) {
        const generation = await this.options.repositories.generations.get(id);
        if (generation?.status === 'queued') await this.#requeueLeftover(generation);
      }
      if (recovered.requeued.length + recovered.failed.length > 0) this.#log.info({ requeued: recovered.requeued, crashLooped: recovered.failed }, 'service.took_over');
    } catch (error) {
      this.#log.warn({ err: error }, 'service.sweep_failed');
    }
  }

  /** /imagine: validate, check policies, record and queue. */
  async imagine(request: RequestFrom & { options: ImagineOptions }): Promise<ImagineOutcome> {
    const who = await this.#who.resolve(request.requester, request.place.workspace);
    if (who.ban !== undefined) return refuse('banned', { reason: who.ban.reason });
    // Before anything is stored or echoed: no control characters, no invisible format characters.
    const safe = safeImagineOptions(request.options);
    if (!safe.ok) return safe;
    const [saved, models] = await Promise.all([this.#policies.savedSettings(who.user.id), this.options.models.list()]);
    const resolved = resolveImagineParameters(safe.options, {
      limits: who.limits,
      saved,
      models,
      defaultModel: this.options.models.defaultModel,
      defaultCount: this.options.policy.defaultCount,
    });
    if (!resolved.ok) return resolved;
    const { parameters, warnings } = resolved;
    const blocked = await this.#policies.blockedTerm(who, parameters.prompt, parameters.negativePrompt);
    if (blocked !== undefined) return blocked;
    const job: JobParameters = {
      kind: 'imagine',
      parentId: undefined,
      parentImageIndex: undefined,
      prompt: parameters.prompt,
      negativePrompt: parameters.negativePrompt,
      seed: parameters.seed ?? this.#newSeed(),
      steps: parameters.steps,
      guidance: parameters.guidance,
      scheduler: parameters.scheduler ?? 'default',
      width: parameters.width,
      height: parameters.height,
      model: parameters.model,
      count: parameters.count,
      strength: undefined,
    };
    const accepted = await this.#admission.admit(who, request.place, job, warnings);
    return accepted.ok ? { ...accepted, parameters: { ...parameters, seed: job.seed } } : accepted;
  }

  /** 🔄: the same parameters with a new seed. */
  async reroll(generationId: string, request: RequestFrom): Promise<DerivedOutcome> {
    return this.#derive(generationId, undefined, request, (parent) => rerollOf(parent, this.#newSeed()));
  }

  /** V1–V4: img2img from image `index` (0-based), new seed, strength 0.35 (subtle) or 0.65 (strong). */
  async vary(generationId: string, index: number, strength: VariationStrength, request: RequestFrom): Promise<DerivedOutcome> {
    return this.#derive(generationId, index, request, (parent, image) => variationOf(parent, index, strength, this.#newSeed(), image));
  }

  /** U1–U4: 2× upscale of image `index` (0-based). */
  async upscale(generationId: string, index: number, request: RequestFrom): Promise<DerivedOutcome> {
    return this.#derive(generationId, index, request, (parent, image) => upscaleOf(parent, index, (parent.seed + index) % 2 ** 32, image));
  }

  /**
   * Zoom Out, Pan, Vary (Region) or Remix of image `index` (0-based) as a child generation
   * (`edit-jobs.ts`): the output size is checked against the limits before it is queued; `prompt`
   * replaces the parent's (Custom Zoom, Vary Region with a new prompt); `strength` is a remix's.
   * Whether the engine can edit is known where the job runs (a bot process has no engine): an
   * engine that cannot fails the job with "You cannot edit images with the engine configured here."
   */
  async edit(
    generationId: string,
    index: number,
    edit: EditSpec,
    request: RequestFrom,
    change: { prompt?: string | undefined; strength?: number | undefined } = {},
  ): Promise<DerivedOutcome> {
    const problem = editProblem(edit);
    if (problem !== undefined) return refuse('invalid_option', { problem: 'value', option: edit.kind, value: JSON.stringify(edit), expected: problem });
    const prompt = safeOptionalText('prompt', change.prompt?.trim() === '' ? undefined : change.prompt?.trim());
    if (!prompt.ok) return prompt;
    const who = await this.#who.resolve(request.requester, request.place.workspace);
    const usable = (await this.options.models.list()).map((model) => model.name).filter((name) => modelAllowed(who.limits, name));
    return this.#derive(generationId, index, request, (parent, source) =>
      editOf(parent, index, edit, { seed: this.#newSeed(), source, prompt: prompt.text, model: editModelFor(parent.model, usable), strength: change.strength }),
    );
  }

  /** Cancels a queued or running job of this workspace: its owner or a moderator. */
  async cancel(generationId: string, requester: Requester, place: RequestFrom['place']): Promise<CancelOutcome> {
    return this.#cancellation.cancel(generationId, await this.#who.resolve(requester, place.workspace));
  }

  /**
   * A generation of this workspace (in DMs: your own) and its images (not deleted ones), ready for
   * a channel that does or does not allow NSFW. Another workspace's job is "not found".
   */
  async show(generationId: string, request: RequestFrom): Promise<ShowOutcome> {
    const who = await this.#who.resolve(request.requester, request.place.workspace);
    const generation = await this.options.repositories.generations.getInScope(generationId, scopeOf(who));
    if (generation === undefined) return refuse('not_found', { what: 'generation', id: generationId });
    let stored;
    try {
      stored = await readStoredImages(generation, this.options.store);
    } catch (error) {
      // The operator's problem (disk, bucket): logged with its cause; the person is asked to try later.
      if (!(error instanceof StorageUnavailableError)) throw error;
      this.#log.error({ jobId: generationId, err: error }, 'show.storage_unavailable');
      return refuse('storage_unavailable', { action: 'read the image' });
    }
    const delivery = await prepareDelivery(stored, request.place.nsfwAllowed, this.options.policy.nsfw);
    return { ok: true, generation, owner: await ownerOf(this.options.repositories.users, generation.userId), ...delivery };
  }

  /** Position and ETA of a waiting or running job. */
  position(generationId: string): Promise<QueuePosition | undefined> {
    return this.options.queue.position(generationId);
  }

  /** The person's saved /settings (undefined fields use the server defaults). */
  async settings(request: RequestFrom): Promise<UserSettings | undefined> {
    const who = await this.#who.resolve(request.requester, request.place.workspace);
    return this.#policies.savedSettings(who.user.id);
  }

  /** Validates and saves /settings changes; `default` clears a setting. */
  async saveSettings(request: RequestFrom, changes: Partial<Record<SettingName, OptionText>>): Promise<Refusable<{ settings: UserSettings }>> {
    const who = await this.#who.resolve(request.requester, request.place.workspace);
    if (who.ban !== undefined) return refuse('banned', { reason: who.ban.reason });
    const safe = safeOptionValues(changes);
    if (!safe.ok) return safe;
    const { userSettings } = this.options.repositories;
    const updated = updateSettings(await userSettings.get(who.user.id), safe.values, who.limits, await this.options.models.list());
    if (!updated.ok) return updated;
    return { ok: true, settings: await this.#policies.saveSettings(who.user.id, updated.settings) };
  }

  /**
   * Call before acting on a reaction or button press: true for the one process (of all sharing
   * the database) that should handle it, false for a repeat. `key` names the event on its
   * platform, e.g. `discord:interaction:<id>` or `slack:event:<event_id>`.
   */
  claimEvent(key: string): Promise<boolean> {
    return this.#eventClaims.claim(key);
  }

  /** Records where the job's message lives once the adapter has posted it. */
  async attachMessage(generationId: string, chat: ChatLocation): Promise<boolean> {
    return this.options.repositories.generations.updateChatLocation(generationId, chat);
  }

  /** ❌ on one image of this workspace: its owner or a moderator. Marks it deleted, removes the file, writes the audit log. */
  async deleteImage(generationId: string, index: number, requester: Requester, place: RequestFrom['place'], reason: string | undefined) {
    const safeReason = safeOptionalText('reason', reason);
    if (!safeReason.ok) return safeReason;
    const who = await this.#who.resolve(requester, place.workspace);
    return this.#removal.deleteImages(generationId, [index], who, safeReason.text);
  }

  /** Deletes every image of a generation (cancelling it first if it has not finished). */
  async deleteGeneration(generationId: string, requester: Requester, place: RequestFrom['place'], reason: string | undefined) {
    const safeReason = safeOptionalText('reason', reason);
    if (!safeReason.ok) return safeReason;
    const who = await this.#who.resolve(requester, place.workspace);
    const generation = await this.options.repositories.generations.getInScope(generationId, scopeOf(who));
    if (generation === undefined) return refuse('not_found', { what: 'generation', id: generationId });
    if (who.user.id !== generation.userId && !isModerator(who)) return refuse('forbidden', { action: 'delete this job', allowed: 'owner or moderator' });
    if (generation.status === 'queued' || generation.status === 'running') await this.cancel(generationId, requester, place);
    return this.#removal.deleteImages(generationId, generation.images.map((image) => image.index), who, safeReason.text);
  }

  async #derive(
    generationId: string,
    index: number | undefined,
    request: RequestFrom,
    build: (parent: GenerationWithImages, image: { width: number; height: number }) => JobParameters,
  ): Promise<DerivedOutcome> {
    const who = await this.#who.resolve(request.requester, request.place.workspace);
    // Another workspace's job is "not found", exactly like an unknown id.
    const parent = await this.options.repositories.generations.getInScope(generationId, scopeOf(who));
    if (parent === undefined) return refuse('not_found', { what: 'generation', id: generationId });
    let size = { width: parent.width, height: parent.height };
    if (index !== undefined) {
      const image = parent.images.find((candidate) => candidate.index === index);
      if (image === undefined || image.deletedAt !== undefined) return refuse('not_found', { what: 'image', id: `${generationId} #${index + 1}` });
      size = { width: image.width, height: image.height };
    }
    if (who.ban !== undefined) return refuse('banned', { reason: who.ban.reason });
    const job = build(parent, size);
    const refused = await this.#policies.derivedJobRefusal(who, job);
    if (refused !== undefined) return refused;
    return this.#admission.admit(who, request.place, job, []);
  }

  #newSeed(): number {
    return Math.floor(this.options.random() * 2 ** 32) % 2 ** 32;
  }
}
