/** A B2B Company as the domain sees it (camelCase, numbers as numbers, timestamps in epoch ms). */
export interface Company {
  id: number;
  storeHash: string;
  name: string;
  /** 0 pending, 1 approved, 2 rejected, 3 inactive */
  status: number;
  parentId: number | null;
  email: string | null;
  phone: string | null;
  addressLine1: string | null;
  addressLine2: string | null;
  city: string | null;
  state: string | null;
  zipCode: string | null;
  country: string | null;
  /** maintained counter: number of Company users */
  userCount: number;
  createdAt: number;
  updatedAt: number;
}
