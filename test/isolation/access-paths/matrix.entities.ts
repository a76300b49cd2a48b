import {
  BaseEntity,
  Column,
  DeleteDateColumn,
  Entity,
  Index,
  JoinColumn,
  JoinTable,
  ManyToMany,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  Tree,
  TreeChildren,
  TreeParent,
  type Relation,
} from 'typeorm';
import { TenantScopedEntity } from 'nestjs-tenancy';

// One entity per kind of relation TypeORM offers; every table carries tenant_id (RLS needs it).

@Entity('mx_owners')
export class Owner extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @OneToMany(() => Item, (i) => i.owner) items!: Relation<Item[]>;
}

@Entity('mx_tags')
export class Tag extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @ManyToMany(() => Item, (i) => i.tags) items!: Relation<Item[]>;
}

/** Eager many-to-one, lazy many-to-one, many-to-many, soft delete and a counter. */
@Entity('mx_items')
@Index(['tenantId', 'label'], { unique: true })
export class Item extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() label!: string;
  @Column({ type: 'int', default: 0 }) qty!: number;
  @DeleteDateColumn({ name: 'deleted_at', nullable: true }) deletedAt!: Date | null;
  @ManyToOne(() => Owner, (o) => o.items, { eager: true, nullable: true, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id' })
  owner!: Relation<Owner> | null;
  @ManyToOne(() => Owner, { lazy: true, nullable: true })
  @JoinColumn({ name: 'maker_id' })
  maker!: Promise<Owner | null>;
  @ManyToMany(() => Tag, (t) => t.items)
  @JoinTable({
    name: 'mx_item_tags',
    joinColumn: { name: 'item_id', referencedColumnName: 'id' },
    inverseJoinColumn: { name: 'tag_id', referencedColumnName: 'id' },
  })
  tags!: Relation<Tag[]>;
}

@Entity('mx_nodes')
@Tree('materialized-path')
export class TreeNode extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @TreeParent() parent!: Relation<TreeNode> | null;
  @TreeChildren() children!: Relation<TreeNode[]>;
}

/** No relations: the table `clear()` and raw inserts work on. */
@Entity('mx_scratch')
export class Scratch extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() label!: string;
}

/** Active record: `Memo.find()`, `memo.save()` (tenant_id declared, BaseEntity cannot also extend TenantScopedEntity). */
@Entity('mx_memos')
export class Memo extends BaseEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ name: 'tenant_id', type: 'varchar', length: 36, nullable: true }) tenantId!: string | null;
  @Column() text!: string;
}

export const MATRIX_ENTITIES = [Owner, Tag, Item, TreeNode, Scratch, Memo];

/** Physical tables a tenant owns, as the admin view reads them. */
export const MATRIX_TABLES = [
  'mx_owners',
  'mx_tags',
  'mx_items',
  'mx_item_tags',
  'mx_nodes',
  'mx_scratch',
  'mx_memos',
] as const;
export type MatrixTable = (typeof MATRIX_TABLES)[number];
