export type ProjectStatus = 'active' | 'archived';
export const PROJECT_STATUSES: readonly ProjectStatus[] = ['active', 'archived'];

export interface Project {
  id: string;
  ownerId: string;
  name: string;
  description?: string;
  status: ProjectStatus;
  createdAt: Date;
  updatedAt: Date;
}
