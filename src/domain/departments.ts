/**
 * The City's departments and the services each handles (`flows/departments.yaml`): every service
 * request goes to the department of its service, and, when the department has an endpoint, is
 * delivered to its system in GeoReport v2 form.
 */
export interface Department {
  /** As people say it: "Electric Utility". Unique. */
  name: string;
  /** The service codes it handles: `power`, `callback`, an agent queue's name (`utility-billing`). */
  services: string[];
  /** Where new requests are POSTed (a GeoReport v2 `requests.json`); none: they are only kept here. */
  endpoint?: string;
}

export interface Departments {
  departments: Department[];
}

/** No departments: every request is kept without one. */
export const NO_DEPARTMENTS: Departments = { departments: [] };

/** The department that handles a service, or undefined when none does. */
export function departmentFor(departments: Departments, service: string): Department | undefined {
  return departments.departments.find((department) => department.services.includes(service));
}
