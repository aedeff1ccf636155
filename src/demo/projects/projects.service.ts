import { Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditAction, AuditService, AuditSeverity } from '../../index';
import type { CreateProjectDto } from './dto/create-project.dto';
import type { UpdateProjectDto } from './dto/update-project.dto';
import type { Project } from './project.model';

const RESOURCE = 'project';

/** DTO instances carry every declared field, `undefined` when absent; a PATCH keeps those as they were. */
const definedFields = <T extends object>(dto: T): Partial<T> =>
  Object.fromEntries(Object.entries(dto).filter(([, value]) => value !== undefined)) as Partial<T>;

/** Per-user projects in memory; every change is an audit entry, creation also a product event. */
@Injectable()
export class ProjectsService {
  private readonly projects = new Map<string, Project>();

  constructor(private readonly audit: AuditService) {}

  list(ownerId: string): Project[] {
    return [...this.projects.values()].filter((p) => p.ownerId === ownerId);
  }

  get(ownerId: string, id: string): Project {
    const project = this.projects.get(id);
    if (!project || project.ownerId !== ownerId) throw new NotFoundException(`Project ${id} not found.`);
    return project;
  }

  create(ownerId: string, dto: CreateProjectDto): Project {
    const now = new Date();
    const { name, description } = dto;
    const project: Project = { id: randomUUID(), ownerId, name, description, status: 'active', createdAt: now, updatedAt: now };
    this.projects.set(project.id, project);

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

  update(ownerId: string, id: string, dto: UpdateProjectDto): Project {
    const before = { ...this.get(ownerId, id) };
    const after: Project = { ...before, ...definedFields(dto), updatedAt: new Date() };
    this.projects.set(id, after);

    this.audit.logUserAction(ownerId, `${RESOURCE}.${AuditAction.UPDATE}`, `Updated project "${after.name}"`, {
      resourceType: RESOURCE,
      resourceId: id,
      beforeData: before,
      afterData: after,
      category: 'projects',
    });
    return after;
  }

  remove(ownerId: string, id: string): void {
    const project = this.get(ownerId, id);
    this.projects.delete(id);

    this.audit.log({
      action: `${RESOURCE}.${AuditAction.DELETE}`,
      message: `Deleted project "${project.name}"`,
      userId: ownerId,
      severity: AuditSeverity.WARNING,
      resourceType: RESOURCE,
      resourceId: id,
      beforeData: project,
      category: 'projects',
      isComplianceRelevant: true,
    });
  }
}
