import { Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditAction, Audited, AuditService } from '../../index';
import type { CreateProjectDto } from './dto/create-project.dto';
import type { UpdateProjectDto } from './dto/update-project.dto';
import type { Project } from './project.model';

const RESOURCE = 'project';

/** DTO instances carry every declared field, `undefined` when absent; a PATCH keeps those as they were. */
const definedFields = <T extends object>(dto: T): Partial<T> =>
  Object.fromEntries(Object.entries(dto).filter(([, value]) => value !== undefined)) as Partial<T>;

/**
 * Per-user projects in memory. Every change is an audit entry, written in both styles:
 * `create` calls `AuditService` by hand, `update` and `remove` are `@Audited`.
 */
@Injectable()
export class ProjectsService {
  private readonly projects = new Map<string, Project>();

  constructor(private readonly audit: AuditService) {}

  list(ownerId: string): Project[] {
    return [...this.projects.values()].filter((p) => p.ownerId === ownerId);
  }

  /** The owner's project, or undefined (someone else's project is as good as missing). */
  find(ownerId: string, id: string): Project | undefined {
    const project = this.projects.get(id);
    return project?.ownerId === ownerId ? project : undefined;
  }

  get(ownerId: string, id: string): Project {
    const project = this.find(ownerId, id);
    if (!project) throw new NotFoundException(`Project ${id} not found.`);
    return project;
  }

  create(ownerId: string, dto: CreateProjectDto): Project {
    const now = new Date();
    const { name, description } = dto;
    const project: Project = { id: randomUUID(), ownerId, name, description, status: 'active', createdAt: now, updatedAt: now };
    this.projects.set(project.id, project);

    // The explicit style: full control over what is written.
    this.audit.logUserAction(ownerId, `${RESOURCE}.${AuditAction.CREATE}`, `Created project "${project.name}"`, {
      resourceType: RESOURCE,
      resourceId: project.id,
      afterData: project,
      category: 'projects',
    });
    this.audit.trackEvent('project.created', { projectId: project.id, hasDescription: Boolean(dto.description) }, { userId: ownerId });
    // Sent on every creation; the dedupKey makes the database keep only the user's first.
    this.audit.trackEvent('project.first_created', { projectId: project.id }, { userId: ownerId, dedupKey: `first-project:${ownerId}` });
    return project;
  }

  /** The decorator style: before/after states are stored with their diff in `changes`. */
  @Audited({
    action: `${RESOURCE}.${AuditAction.UPDATE}`,
    message: 'Update project',
    resourceType: RESOURCE,
    resourceId: ({ args: [, id] }) => id,
    category: 'projects',
    before: ({ args: [ownerId, id], instance }) => instance.find(ownerId, id),
    after: ({ result }) => result,
  })
  update(ownerId: string, id: string, dto: UpdateProjectDto): Project {
    const updated: Project = { ...this.get(ownerId, id), ...definedFields(dto), updatedAt: new Date() };
    this.projects.set(id, updated);
    return updated;
  }

  @Audited({
    action: `${RESOURCE}.${AuditAction.DELETE}`,
    message: 'Delete project',
    resourceType: RESOURCE,
    resourceId: ({ args: [, id] }) => id,
    category: 'projects',
    before: ({ args: [ownerId, id], instance }) => instance.find(ownerId, id),
    severity: 'warning',
    isComplianceRelevant: true,
  })
  remove(ownerId: string, id: string): void {
    this.get(ownerId, id);
    this.projects.delete(id);
  }
}
