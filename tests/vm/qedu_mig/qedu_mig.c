// SPDX-License-Identifier: GPL-2.0-only
/*
 * qedu_mig: a test-only VFIO variant driver for QEMU's "edu" device
 * (1234:11e8), used by vfio-hostdev's real-kernel test suite (tests/vm/).
 *
 * It exists so that the guest has a VFIO driver that looks like real
 * variant drivers do to tools:
 *   - its module name (qedu_mig) does not contain "vfio";
 *   - its driver name (qedu-mig) differs from its module name;
 *   - depmod lists it as "alias vfio_pci:v00001234d000011E8sv*sd*bc*sc*i*",
 *     a more specific match than vfio-pci's catch-all;
 *   - it advertises live migration as the migration variant drivers do
 *     (VFIO_MIGRATION_STOP_COPY with mig_ops; no dirty tracking), so that
 *     VFIO_DEVICE_FEATURE_MIGRATION and debugfs' vfio/<BDF>/migration/
 *     answer for it. Only the RUNNING <-> STOP arcs work: the device has
 *     no state to save, and the tests never migrate it.
 * Binding a device to it creates <BDF>/vfio-dev/vfioN like vfio-pci does.
 *
 * Module parameters make it fail as wedged devices' drivers do:
 *   remove_sleep_ms  remove() sleeps uninterruptibly (msleep) this long
 *                    before letting go: the writer of unbind sleeps with it,
 *                    in D-state, holding the device lock;
 *   in_remove        (read-only) how many remove()s are asleep now: a test
 *                    orders its steps by it, never by wall time;
 *   fail_probe       probe() fails with -EIO (drivers_probe still reports
 *                    success, as it does for any failed probe).
 * With driver_override any PCI device binds to it, so e1000e can too.
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>

static unsigned int remove_sleep_ms;
module_param(remove_sleep_ms, uint, 0644);
MODULE_PARM_DESC(remove_sleep_ms, "remove() sleeps uninterruptibly this many milliseconds first");

static bool fail_probe;
module_param(fail_probe, bool, 0644);
MODULE_PARM_DESC(fail_probe, "probe() fails with -EIO");

static atomic_t removes_asleep = ATOMIC_INIT(0);

static int in_remove_get(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%d\n", atomic_read(&removes_asleep));
}

static const struct kernel_param_ops in_remove_ops = {
	.get = in_remove_get,
};
module_param_cb(in_remove, &in_remove_ops, NULL, 0444);
MODULE_PARM_DESC(in_remove, "how many remove() calls are asleep (remove_sleep_ms) now");

/* One migration state per device; the driver data is vfio-pci's. */
struct qedu_mig_device {
	struct vfio_pci_core_device core;
	enum vfio_device_mig_state mig_state;
};

static struct qedu_mig_device *to_qedu(struct vfio_device *core_vdev)
{
	return container_of(core_vdev, struct qedu_mig_device, core.vdev);
}

/* The core walks the FSM one arc at a time; only RUNNING <-> STOP, which
 * need no data transfer, are supported. */
static struct file *qedu_mig_set_state(struct vfio_device *core_vdev,
				       enum vfio_device_mig_state new_state)
{
	struct qedu_mig_device *qdev = to_qedu(core_vdev);

	if (new_state != VFIO_DEVICE_STATE_RUNNING &&
	    new_state != VFIO_DEVICE_STATE_STOP)
		return ERR_PTR(-EOPNOTSUPP);
	qdev->mig_state = new_state;
	return NULL;
}

static int qedu_mig_get_state(struct vfio_device *core_vdev,
			      enum vfio_device_mig_state *curr_state)
{
	*curr_state = to_qedu(core_vdev)->mig_state;
	return 0;
}

static int qedu_mig_get_data_size(struct vfio_device *core_vdev,
				  unsigned long *stop_copy_length)
{
	*stop_copy_length = 0;
	return 0;
}

static const struct vfio_migration_ops qedu_mig_migration_ops = {
	.migration_set_state	= qedu_mig_set_state,
	.migration_get_state	= qedu_mig_get_state,
	.migration_get_data_size = qedu_mig_get_data_size,
};

static int qedu_mig_open_device(struct vfio_device *core_vdev)
{
	struct qedu_mig_device *qdev = to_qedu(core_vdev);
	int ret;

	ret = vfio_pci_core_enable(&qdev->core);
	if (ret)
		return ret;
	qdev->mig_state = VFIO_DEVICE_STATE_RUNNING;
	vfio_pci_core_finish_enable(&qdev->core);
	return 0;
}

static const struct vfio_device_ops qedu_mig_ops = {
	.name		= "qedu-mig",
	.init		= vfio_pci_core_init_dev,
	.release	= vfio_pci_core_release_dev,
	.open_device	= qedu_mig_open_device,
	.close_device	= vfio_pci_core_close_device,
	.ioctl		= vfio_pci_core_ioctl,
	.device_feature	= vfio_pci_core_ioctl_feature,
	.read		= vfio_pci_core_read,
	.write		= vfio_pci_core_write,
	.mmap		= vfio_pci_core_mmap,
	.request	= vfio_pci_core_request,
	.match		= vfio_pci_core_match,
	.bind_iommufd	= vfio_iommufd_physical_bind,
	.unbind_iommufd	= vfio_iommufd_physical_unbind,
	.attach_ioas	= vfio_iommufd_physical_attach_ioas,
	.detach_ioas	= vfio_iommufd_physical_detach_ioas,
};

static int qedu_mig_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct qedu_mig_device *qdev;
	int ret;

	if (READ_ONCE(fail_probe))
		return -EIO;
	qdev = vfio_alloc_device(qedu_mig_device, core.vdev, &pdev->dev,
				 &qedu_mig_ops);
	if (IS_ERR(qdev))
		return PTR_ERR(qdev);

	/* set before registering: the core checks them, debugfs shows them */
	qdev->core.vdev.migration_flags = VFIO_MIGRATION_STOP_COPY;
	qdev->core.vdev.mig_ops = &qedu_mig_migration_ops;
	dev_set_drvdata(&pdev->dev, &qdev->core);
	ret = vfio_pci_core_register_device(&qdev->core);
	if (ret) {
		vfio_put_device(&qdev->core.vdev);
		return ret;
	}
	return 0;
}

static void qedu_mig_remove(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);
	unsigned int sleep_ms = READ_ONCE(remove_sleep_ms);

	if (sleep_ms) {
		atomic_inc(&removes_asleep);
		msleep(sleep_ms);	/* TASK_UNINTERRUPTIBLE, like a wedged device's wait */
		atomic_dec(&removes_asleep);
	}
	vfio_pci_core_unregister_device(vdev);
	vfio_put_device(&vdev->vdev);
}

static const struct pci_device_id qedu_mig_table[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(0x1234, 0x11e8) },	/* QEMU edu */
	{}
};
MODULE_DEVICE_TABLE(pci, qedu_mig_table);

static struct pci_driver qedu_mig_driver = {
	.name			= "qedu-mig",
	.id_table		= qedu_mig_table,
	.probe			= qedu_mig_probe,
	.remove			= qedu_mig_remove,
	.err_handler		= &vfio_pci_core_err_handlers,
	.driver_managed_dma	= true,
};
module_pci_driver(qedu_mig_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test-only VFIO variant driver for QEMU's edu device (vfio-hostdev tests)");
MODULE_IMPORT_NS(IOMMUFD);
