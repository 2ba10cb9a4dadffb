export * from '../../src/schema/object-meta';
